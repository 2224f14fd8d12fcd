"""Requests by email: `flask support fetch-mail` files a Maildir's messages (POLICY R3)."""

from __future__ import annotations

import mailbox
from datetime import timedelta
from email.message import EmailMessage

import sqlalchemy as sa

from academy.support.models import SupportAttachment, SupportMessage, SupportRequest
from academy.support.services import fetch_mail

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _mail(sender, subject, body, message_id, date=None, attach=None, html=False):
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, "help@taxdome.com", subject
    msg["Message-ID"] = message_id
    if date:
        msg["Date"] = date
    if html:
        msg.set_content(body, subtype="html")
    else:
        msg.set_content(body)
    if attach:
        data, maintype, subtype, name = attach
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg


def _maildir(tmp_path, *messages):
    box = mailbox.Maildir(tmp_path / "support-mail", create=True)
    for msg in messages:
        box.add(msg)
    box.close()
    return str(tmp_path / "support-mail")


def test_messages_are_filed_once_with_attachments_and_senders_matched(
    app, db, make_user, tmp_path, clock
):
    member = make_user(email="ana@firm.ro")
    first = _mail("Ana Popescu <ANA@firm.ro>", "Invoice missing", "The invoice was not sent.",
                  "<m1@firm.ro>", date="Wed, 25 Nov 2026 08:00:00 +0000",
                  attach=(PNG, "image", "png", "screen.png"))  # fmt: skip
    path = _maildir(
        tmp_path,
        first,
        _mail("Stranger <who@else.ro>", "Întrebare", "<p>Bună <b>ziua</b></p>", "<m2@else.ro>",
              html=True),
        first,  # delivered twice
    )  # fmt: skip
    result = fetch_mail(path)
    assert (result.filed, result.unknown_senders, result.duplicates) == (2, 1, 1)
    known, unknown = db.session.scalars(
        sa.select(SupportRequest).order_by(SupportRequest.from_email)
    )
    assert known.user_id == member.id and known.source == "email"
    # POLICY R3: the clock starts when the message arrived (its Date), 24 hours to answer.
    assert known.received_at == clock.now() - timedelta(hours=2)
    assert known.first_response_due_at == known.received_at + timedelta(hours=24)
    attachment = db.session.scalar(sa.select(SupportAttachment))
    assert (attachment.filename, attachment.content_type) == ("screen.png", "image/png")
    assert unknown.user_id is None and unknown.from_email == "who@else.ro"
    assert unknown.subject == "Întrebare"
    body = db.session.scalar(
        sa.select(SupportMessage.body).where(SupportMessage.request_id == unknown.id)
    )
    assert body == "Bună ziua"  # HTML-only mail kept as text
    again = fetch_mail(path)  # idempotent by Message-ID
    assert (again.filed, again.duplicates) == (0, 3)
    assert db.session.scalar(sa.select(sa.func.count(SupportRequest.id))) == 2


def test_a_future_or_missing_date_means_now(app, db, tmp_path, clock):
    path = _maildir(
        tmp_path,
        _mail("a@b.ro", "Future", "x", "<f@b.ro>", date="Fri, 1 Jan 2100 00:00:00 +0000"),
        _mail("a@b.ro", "No date", "x", "<n@b.ro>"),
    )
    fetch_mail(path)
    assert set(db.session.scalars(sa.select(SupportRequest.received_at))) == {clock.now()}


def test_a_refused_attachment_is_noted_not_lost(app, db, tmp_path):
    path = _maildir(
        tmp_path,
        _mail("a@b.ro", "Binary", "see file", "<b@b.ro>",
              attach=(b"\x00\xff\xfe" * 5, "application", "octet-stream", "x.exe")),
    )  # fmt: skip
    fetch_mail(path)
    body = db.session.scalar(sa.select(SupportMessage.body))
    assert "x.exe" in body and db.session.scalar(sa.select(SupportAttachment.id)) is None


def test_the_command(app, db, tmp_path, make_user):
    path = _maildir(tmp_path, _mail("a@b.ro", "Hi", "x", "<c@b.ro>"))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["support", "fetch-mail", "--maildir", path])
    assert result.exit_code == 0, result.output
    assert "1 filed (1 from unknown senders), 0 added to their threads, 0 already filed" in (
        result.output
    )
    app.config.update(SUPPORT_MAILDIR="", SUPPORT_IMAP_HOST="")
    result = runner.invoke(args=["support", "fetch-mail"])
    assert result.exit_code != 0 and "SUPPORT_MAILDIR" in result.output


def test_an_emailed_answer_to_our_reply_joins_its_thread(app, db, make_user, tmp_path, clock):
    from academy.notifications.models import OutboxMessage
    from academy.support.services import staff_reply
    from tests.fixtures.app import request_context

    member, staff = make_user(email="ana@firm.ro"), make_user("staff")
    fetch_mail(_maildir(tmp_path, _mail("ana@firm.ro", "Invoice", "Help", "<a1@firm.ro>")))
    request = db.session.scalar(
        sa.select(SupportRequest).options(sa.orm.selectinload(SupportRequest.user))
    )
    with request_context(app):
        staff_reply(request, by=staff, body="Which client?")
    subject = db.session.scalar(sa.select(OutboxMessage.subject))
    assert subject == f"Re: Invoice [#{request.id}]"
    box = tmp_path / "second"
    box.mkdir()
    answer = _mail("Ana <ana@firm.ro>", subject, "Alfa SRL", "<a2@firm.ro>",
                   attach=(PNG, "image", "png", "alfa.png"))  # fmt: skip
    stranger = _mail("eve@else.ro", subject, "Me too", "<e1@else.ro>")
    result = fetch_mail(_maildir(box, answer, stranger))
    # Only the request's own sender joins the thread; anyone else opens a new request.
    assert (result.replies, result.filed, result.unknown_senders) == (1, 1, 1)
    db.session.expire_all()
    thread = db.session.scalars(
        sa.select(SupportMessage).where(SupportMessage.request_id == request.id)
    ).all()
    assert [m.body for m in thread] == ["Help", "Which client?", "Alfa SRL"]
    assert thread[-1].author_id == member.id
    assert db.session.get(SupportRequest, request.id).status == "open"
    assert db.session.scalar(sa.select(sa.func.count(SupportAttachment.id))) == 1
    assert fetch_mail(_maildir(box)).duplicates == 2
