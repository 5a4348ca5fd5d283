"""The operations dashboard: a web page for the clearing house's ops staff, served by its own process.

It has no database of its own. Every page is answered from the services' gRPC APIs, called with the
signed-in person's own ops token (so each service authorises every action exactly as for any other
caller), and from the services' Prometheus ``/metrics`` endpoints.

Layers: ``web`` (routes, templates, the sign-in cookie and CSRF check) calls ``views``, a small service
layer that turns gRPC answers and scraped metrics into what a page shows; ``charts`` draws inline SVG.
"""
