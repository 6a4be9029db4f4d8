"""The console takes a Shift_JIS frame with Japanese headers and labels and offers templates."""
from __future__ import annotations

import io

from sqlalchemy import func, select

from survey_app.models import Invitation
from tests.support.survey import SURVEY
from tests.support.web import csrf

FRAME_SJIS = "年齢,性別,地区\n30〜39歳,男性,野幌地区\n３０～３９歳,女性,大麻地区\n70歳以上, 男性 ,江別地区\n"


def test_console_accepts_the_frame_and_offers_templates(login_as, session):
    client = login_as("admin")
    base = f"/staff/s/{SURVEY}"
    template = client.get(f"{base}/invitations/frame-template.csv")
    assert template.status_code == 200 and template.get_data().decode("utf-8-sig").startswith("年齢,性別,地区")
    margins = client.get(f"{base}/population/template.csv")
    assert margins.get_data().decode("utf-8-sig").startswith("項目,区分,人数")
    token = csrf(client.get(f"{base}/invitations").get_data(as_text=True))
    page = client.post(f"{base}/invitations/generate", content_type="multipart/form-data", data={
        "csrf_token": token, "output": "csv", "file": (io.BytesIO(FRAME_SJIS.encode("cp932")), "frame.csv")})
    assert page.status_code == 200 and page.mimetype == "text/csv"
    assert session.scalar(select(func.count()).select_from(Invitation)) == 3
    bad = client.post(f"{base}/invitations/generate", content_type="multipart/form-data", data={
        "csrf_token": token, "output": "csv",
        "file": (io.BytesIO("年齢\n30〜39歳\n二十代\n".encode("cp932")), "frame.csv")})
    assert bad.status_code == 400 and "3" in bad.get_data(as_text=True) and "二十代" in bad.get_data(as_text=True)
