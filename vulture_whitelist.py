"""Names only frameworks use, for vulture (``make lint``; settings in ``pyproject.toml``).

Flask views, click commands, pytest fixtures and tests, Alembic revision hooks and the
fake servers' ``do_GET`` are recognised there by decorator or name. What is listed here is
read by a framework through a name we cannot mark otherwise (an attribute a library reads, a
hook it calls, a field only a Jinja template reads). Never executed; each entry says who reads it.
Add an entry only for such a hook — dead code is deleted, not listed.
"""
# ruff: noqa: F821 - the names below are only parsed, never executed

_used = (
    # socketserver / http.server read these on the server class
    _.daemon_threads,
    # tornado (python-telegram-bot's webhook server) calls these on a RequestHandler
    _.SUPPORTED_METHODS, _.set_default_headers,
    # gunicorn calls load_config on a BaseApplication; the worker class is named by string in
    # survey_app.cli.serve, and gunicorn and tornado call or set these on it
    _.load_config, _.BufferingWorker, _._log, _.alive, _.server_alive,
    # PEP 3333 names start_response's third argument; an app may pass it by keyword
    _.exc_info,
    # click calls list_commands on the machikoe group (survey_app.cli's deferred commands)
    _.list_commands,
    # the import machinery reads sys.pycache_prefix (tests/support/importkit.py sets it)
    _.pycache_prefix,
    # a flask.g flag read with g.get("staff_expired")
    _.staff_expired,
    # Babel calls the extractor named in setup.cfg with (fileobj, keywords, comment_tags, options)
    _.extract_instrument, _.keywords, _.comment_tags,
    # babel.numbers.NumberPattern attribute set to round percentages
    _.frac_prec,
    # a catch-all route parameter (``/api/<path:anything>``) that Flask passes by name
    _.anything,
    # Jinja environment options
    _.trim_blocks, _.lstrip_blocks,
    # Flask's SessionInterface hooks
    _.get_cookie_secure, _.should_set_cookie,
    # gettext msgids extracted from N_() for ``_(current_user.role)`` in staff/layout.html
    _.ROLE_LABELS,
    # Flask-Login's user protocol and LoginManager settings
    _.is_anonymous, _.is_active, _.get_id, _.login_view, _.login_message, _.login_message_category,
    _.localize_callback, _.session_protection,
    # Flask config read by werkzeug's request parsing
    _.max_content_length, _.max_form_memory_size,
    # read only by Jinja templates (staff/monitor.html, staff/chart.html, analysis/publication/templates)
    _.by_source, _.y_bottom, _.polyline, _.change_low, _.change_high, _.trends, _.year_label,
    _.label_width, _.office, _.line_ys, _.bar_y, _.thickness,
    # openpyxl cell styles, set as attributes
    _.font, _.alignment,
    # fake Telegram Bot API: methods dispatched by the called method's name (``api_<method>``)
    _.api_getMe, _.api_sendMessage, _.api_editMessageText, _.api_editMessageReplyMarkup,
    _.api_setWebhook, _.api_deleteWebhook,
    # http.server request handler settings read by the standard library (the fake chat APIs)
    _.protocol_version, _.disable_nagle_algorithm,
    # jinja2.BytecodeCache's hooks (survey_app/web/templating.py); Flask's template loader
    _.load_bytecode, _.dump_bytecode, _.jinja_loader,
    # Flask's rule class hook and Werkzeug's builder hook (survey_app/web/routing.py)
    _.url_rule_class, _._compile_builder,
    # Flask-Limiter's flag, reset for each new app (survey_app/web/extensions.py)
    _._storage_dead,
    # flask.g flag read with g.get (survey_app/web/survey/entry.py)
    _.code_accepted,
    # a module ``__getattr__`` (PEP 562), called by Python
    _.__getattr__,
    # SQLAlchemy declarative: columns kept in the schema (see migrations/), and the base's type map
    _.type_annotation_map, _.loaded_at, _.created_at, _.survey_version, _.started_at, _.answered_at,
    _.imported_at, _.updated_by,
    # pytest fixtures requested by parameter name for their effect only
    _.with_responses, _.no_telegram_env, _.no_line_env, _.busy_site, _.early, _.two_samples,
)
