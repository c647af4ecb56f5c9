"""The Flask side of the app: login, guard, security headers, i18n, cache, CLI, health."""
