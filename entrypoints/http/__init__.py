"""The HTTP entrypoint: Banqup's API (CONTRACTS §3), built by `entrypoints.http.app.create_app`."""
