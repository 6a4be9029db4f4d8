"""Fixture registration only: the helpers and fixtures live in tests/support/ (see its __init__)."""
pytest_plugins = ["tests.support.db", "tests.support.web", "tests.support.staff", "tests.support.demo",
                  "tests.support.bots", "tests.support.markers", "tests.support.sql_reach"]
