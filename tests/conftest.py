"""Fixtures shared by every test live in tests/fixtures/ (one module per concern) and are
loaded here for the whole suite.

The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL names one.
The schema comes from the migrations (once per run); after each test every table is
emptied and the reference data the migrations insert (the plan table) is put back.
"""

pytest_plugins = [
    "tests.fixtures.app",
    "tests.fixtures.accounts",
    "tests.fixtures.queries",
    "tests.fixtures.mail",
    "tests.fixtures.scheduling",
]
