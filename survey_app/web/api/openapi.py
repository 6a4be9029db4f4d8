"""The OpenAPI 3.0 document of ``/api/v1`` (served at ``/api/v1/openapi.json``).

The indicator schema is issue 6's JSON: percentages in percentage points at full
precision; ``null`` where a value cannot be computed (a suppressed group, no baseline).
"""
from __future__ import annotations

from copy import deepcopy

from analysis.methods import CI_METHODS, DEFAULT_CI, DEFAULT_LEVEL, WEIGHTING_METHODS
from analysis.notices import CODES
from analysis.samples import SAMPLES
from survey_app.i18n import locales

from ..staff.indicators import WEB_DEFAULTS

NUMBER_OR_NULL = {"type": "number", "nullable": True}
INTEGER_OR_NULL = {"type": "integer", "nullable": True}
YEAR_VALUE = {"type": "object", "nullable": True, "required": ["value", "year"],
              "properties": {"value": NUMBER_OR_NULL, "year": INTEGER_OR_NULL}}

GROUP = {"type": "object", "required": ["by", "category", "label", "estimate", "ci_low", "ci_high", "n", "n_eff",
                                        "kish_n_eff", "flag"],
         "properties": {"by": {"type": "string"}, "category": {"oneOf": [{"type": "integer"}, {"type": "string"}]},
                        "label": {"type": "string", "nullable": True}, "estimate": NUMBER_OR_NULL,
                        "ci_low": NUMBER_OR_NULL, "ci_high": NUMBER_OR_NULL, "n": INTEGER_OR_NULL,
                        "n_eff": NUMBER_OR_NULL, "kish_n_eff": NUMBER_OR_NULL,
                        "flag": {"type": "string", "nullable": True, "enum": ["caution", "suppressed", None]}}}

CHANGE = {"type": "object", "nullable": True, "additionalProperties": True,
          "properties": {"estimate": NUMBER_OR_NULL, "ci_low": NUMBER_OR_NULL, "ci_high": NUMBER_OR_NULL,
                         "verdict": {"type": "string",
                                     "enum": ["improved", "worsened", "no detectable change", "indicative"]},
                         "baseline_se": NUMBER_OR_NULL, "method": {"type": "string"},
                         "compared_on_base": {"type": "string"}}}
BASELINE = {"type": "object", "nullable": True, "required": ["value", "year", "se"],
            "properties": {"value": NUMBER_OR_NULL, "year": INTEGER_OR_NULL,
                           "se": {**NUMBER_OR_NULL, "description": "Standard error in points; null: not published."},
                           "n": INTEGER_OR_NULL, "deff": NUMBER_OR_NULL,
                           "base": {"type": "string", "nullable": True}, "weighting": {"type": "string", "nullable": True}}}
ON_OTHER_BASE = {"type": "object", "nullable": True,
                 "properties": {"base": {"type": "string"}, "estimate": NUMBER_OR_NULL, "se": NUMBER_OR_NULL,
                                "ci_low": NUMBER_OR_NULL, "ci_high": NUMBER_OR_NULL, "n": {"type": "integer"}}}

INDICATOR = {"type": "object",
             "required": ["id", "title", "base", "estimate", "se", "ci_low", "ci_high", "n", "n_positive", "n_eff",
                          "n_eff_basis", "kish_n_eff", "deff", "baseline", "target", "change_vs_baseline",
                          "on_baseline_base", "groups"],
             "properties": {"id": {"type": "string"}, "title": {"type": "string"},
                            "base": {"type": "string", "enum": ["valid", "all"]},
                            "estimate": NUMBER_OR_NULL, "se": NUMBER_OR_NULL, "ci_low": NUMBER_OR_NULL,
                            "ci_high": NUMBER_OR_NULL, "n": {"type": "integer"}, "n_positive": NUMBER_OR_NULL,
                            "n_eff": NUMBER_OR_NULL, "deff": NUMBER_OR_NULL, "baseline": BASELINE,
                            "n_eff_basis": {"type": "string", "nullable": True, "enum": ["design", "kish", None]},
                            "kish_n_eff": NUMBER_OR_NULL, "on_baseline_base": ON_OTHER_BASE,
                            "target": YEAR_VALUE, "change_vs_baseline": CHANGE,
                            "groups": {"type": "array", "items": {"$ref": "#/components/schemas/Group"}}}}

NOTICE = {"type": "object", "required": ["code", "message"],
          "properties": {"code": {"type": "string", "enum": list(CODES)},
                         "message": {"type": "string", "description": "In the request's language (?lang=)."}}}

OPEN_ROW = {"type": "object", "required": ["id", "share", "n"],
            "properties": {"id": {"type": "string"}, "share": NUMBER_OR_NULL, "n": {"type": "integer"},
                           "n_positive": {"type": "integer", "nullable": True},
                           "flag": {"type": "string", "enum": ["suppressed", None], "nullable": True,
                                    "description": "suppressed: fewer open answers than the threshold; "
                                                   "share and n_positive withheld"}}}

OPEN = {"type": "object", "required": ["n_respondents", "indicators"],
        "description": "The open (self-selected) responses: unweighted shares, no interval.",
        "properties": {"n_respondents": {"type": "integer"}, "label": {"type": "string"},
                       "interval": {"nullable": True}, "indicators": {"type": "array", "items": OPEN_ROW}}}

RESULT = {"type": "object",
          "required": ["survey", "sample", "weighting", "weighting_applied", "ci_method", "level", "n_respondents", "indicators", "open",
                       "notices", "warnings"],
          "properties": {"survey": {"type": "string"}, "sample": {"type": "string", "enum": list(SAMPLES)},
                         "open": OPEN,
                         "weighting": {"type": "string", "enum": list(WEIGHTING_METHODS),
                                       "description": "The weighting asked for."},
                         "weighting_applied": {"type": "string", "enum": list(WEIGHTING_METHODS),
                                               "description": "The weighting the figures were made with: another "
                                                              "method when the one asked for could not be applied "
                                                              "(notice weighting_fallback says why)."},
                         "ci_method": {"type": "string", "enum": list(CI_METHODS)},
                         "level": {"type": "number"}, "n_respondents": {"type": "integer"},
                         "indicators": {"type": "array", "items": {"$ref": "#/components/schemas/Indicator"}},
                         "notices": {"type": "array", "items": {"$ref": "#/components/schemas/Notice"}},
                         "warnings": {"type": "array", "items": {"type": "string"},
                                      "description": "The notices' messages alone (kept for older clients)."}}}

ERROR = {"type": "object", "required": ["error"],
         "properties": {"error": {"type": "object", "required": ["code", "message"],
                                  "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                                                 "parameter": {"type": "string"}}}}}


def _error_response(description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


PARAMETERS = [
    {"name": "survey_id", "in": "path", "required": True, "schema": {"type": "string"},
     "description": "Survey id, e.g. ebetsu-2025."},
    {"name": "weighting", "in": "query", "required": False,
     "schema": {"type": "string", "enum": list(WEIGHTING_METHODS), "default": WEB_DEFAULTS.weighting}},
    {"name": "sample", "in": "query", "required": False,
     "schema": {"type": "string", "enum": list(SAMPLES), "default": "invited"},
     "description": "invited: the letters' random sample (default); open: self-selected answers without an "
                    "interval; combined: both, by the Chen-Li-Wu model."},
    {"name": "by", "in": "query", "required": False, "style": "form", "explode": True,
     "schema": {"type": "array", "items": {"type": "string"}},
     "description": "Question(s) describing residents to break the indicators down by, e.g. age_band; "
                    "'locale' breaks them down by the language each response was given in (labels are "
                    "the languages' own names)."},
    {"name": "ci", "in": "query", "required": False,
     "schema": {"type": "string", "enum": list(CI_METHODS), "default": DEFAULT_CI}},
    {"name": "level", "in": "query", "required": False,
     "schema": {"type": "number", "minimum": 0.5, "maximum": 0.999, "default": DEFAULT_LEVEL}},
    {"name": "lang", "in": "query", "required": False, "schema": {"type": "string", "enum": list(locales.SUPPORTED)},
     "description": "Language of the notices' messages (default: Accept-Language, else ja)."},
]


def openapi_document() -> dict:
    return deepcopy({
        "openapi": "3.0.3",
        "info": {"title": "Machikoe API", "version": "1",
                 "description": "Weighted satisfaction indicators with confidence intervals. Percentages are in "
                                "percentage points at full precision; round for display only."},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearerAuth": []}],
        "paths": {"/surveys/{survey_id}/indicators": {"get": {
            "operationId": "getIndicators", "summary": "Indicator estimates of a survey",
            "parameters": PARAMETERS,
            "responses": {
                "200": {"description": "Indicators (issue-6 schema)",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/IndicatorResult"}}}},
                "400": _error_response("A parameter has a value that is not allowed"),
                "401": _error_response("Missing, invalid, revoked or expired token"),
                "403": _error_response("The account may not use the API"),
                "404": _error_response("Unknown survey"),
                "422": _error_response("The indicators cannot be computed (e.g. no responses, no margins)"),
            }}}},
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                               "description": "Token from: machikoe staff token EMAIL"}},
            "schemas": {"IndicatorResult": RESULT, "Indicator": INDICATOR, "Group": GROUP, "Notice": NOTICE,
                        "Error": ERROR},
        },
    })
