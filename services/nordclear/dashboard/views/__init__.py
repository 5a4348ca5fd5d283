"""The dashboard's service layer: what each page shows, asked of the services' gRPC APIs and metrics.

Views know nothing of HTTP or HTML. They take the signed-in person's token, call the services with it,
and return plain data; a service that refuses or cannot answer becomes a ``Problem`` the page shows in
words instead of an error page.
"""
