"""The platform: settings, database, migrations, security, templating and the CLI."""
