"""The platform in a browser: server-rendered pages over the same services as the API."""
