"""The web server and what every page shares: the pages' middleware, the pages outside the API
(home, ReDoc), the granian entry point."""
