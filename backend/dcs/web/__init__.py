"""The HTTP layer: app factory, plugins, error shape, OpenAPI, one routes module per resource."""
