"""The dashboard's entrypoint: web routes and templates that translate HTTP into view calls."""
