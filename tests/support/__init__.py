"""One home for every test helper and fixture (tests/conftest.py only registers them).

- ``db``: the test secret, one PostgreSQL database per pytest process (per xdist worker), the
  SQLite file, migrated engines, ``clean``; the ``databases(...)`` mark; fixtures ``db_url`` (both databases), ``engine``,
  ``session``, ``instrument``, ``cli``, ``sqlite_with_survey``.
- ``web``: ``web_config``, the ``app``/``client``/``runner`` fixtures, ``csrf`` (the one CSRF
  reader), ``text_of``, walking the survey (``start``, ``answer_all``, ``submit``, ``PAGES``).
- ``staff``: accounts per role (``staff_users``, ``make_staff``), ``log_in`` / ``login_as``
  (a session without the form), ``submit_login`` (the form), ``token_for``; cheap argon2
  parameters in the suite's own process.
- ``survey``: the bundled survey's id, URLs and CLI option.
- ``demo``: demo responses built once per test module and copied into each test's database.
- ``instruments``: small YAML instruments (``MINI``).
- ``bots``, ``fake_api``, ``fake_telegram``, ``fake_line``, ``bot_harness``, ``line_harness``,
  ``bot_memory_port``, ``bot_chat``: the chat channels against fake APIs on loopback, and the engine in memory.
- ``browser``: live server, headless Chromium with pages kept across tests, axe-core (registered by
  tests/browser/conftest.py).
- ``httpkit``: ``client``, ``get``, ``post`` — httpx sharing one TLS context (httpx builds one per client).
- ``faultkit``, ``servekit``, ``fuzzkit``, ``importkit``, ``pdfcheck``: processes under fault,
  ``machikoe serve`` as a process and ``stop`` (a signal, then a kill before the test fails),
  hypothesis strategies, import isolation, PDF text.
- ``markers``: markers given by place (``browser``, ``serial``).
- ``sql_reach``: ``--check-postgresql-reach`` (``make test``): every SQL statement of the application
  that reaches SQLite also reaches PostgreSQL, so ``databases("sqlite")`` (``db``) loses nothing.
"""
