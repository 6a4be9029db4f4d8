"""Every file the console hands out is a download that no cache keeps (``staff.common.download``)."""
from __future__ import annotations

import io

from survey_app import responses
from tests.support.survey import STAFF_URL, SURVEY
from tests.support.web import csrf, text_of

ROW = {"kurashiyasui": 1, "age_band": 2, "sex": 1, "district": 3}
DOWNLOADS = {  # path under the survey's console → the file name it is saved as
    "invitations/frame-template.csv": f"frame-template-{SURVEY}.csv",
    "population/template.csv": f"margins-template-{SURVEY}.csv",
    "export/responses.csv": f"{SURVEY}-responses.csv",
    "export/responses.xlsx": f"{SURVEY}-responses.xlsx",
    "export/labels.csv": f"{SURVEY}-labels.csv",
    "export/indicators.csv?weighting=none": f"{SURVEY}-indicators-none.csv",
    "report/download?format=html&weighting=none&language=ja": f"{SURVEY}-report-ja.html",
}


def _is_private_download(response, filename: str) -> None:
    assert response.status_code == 200, response.status_code
    assert response.headers["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_every_download_is_an_attachment_no_cache_keeps(login_as, session, instrument):
    responses.bulk_complete(session, instrument, [ROW] * 10, channel="paper")  # a report needs 10
    admin = login_as("admin")
    for path, filename in DOWNLOADS.items():
        response = admin.get(f"{STAFF_URL}/{path}")
        _is_private_download(response, filename)
        if filename.endswith(".csv"):  # for Excel: UTF-8 with a byte-order mark
            assert response.get_data().startswith(b"\xef\xbb\xbf"), path
    token = csrf(text_of(admin.get(f"{STAFF_URL}/invitations")))
    letters = admin.post(f"{STAFF_URL}/invitations/generate", content_type="multipart/form-data",
                         data={"csrf_token": token, "output": "csv",
                               "file": (io.BytesIO(b"age_band,district\n2,1\n"), "frame.csv")})
    _is_private_download(letters, f"letters-{SURVEY}.csv")  # codes that open a resident's survey
