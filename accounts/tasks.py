"""Background work for accounts: sending e-mail off the request path."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task
from django.core.mail import send_mail


@shared_task(
    autoretry_for=(SMTPException, OSError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=6,
)
def send_email_task(*, to: str, subject: str, body: str) -> None:
    """Send one plain-text e-mail through Django's configured backend."""
    send_mail(subject=subject, message=body, from_email=None, recipient_list=[to])
