"""The pages' forms: they check the shape of what a person typed (and give every control a
label); the rules themselves are the services', whose errors `add_api_error` puts back on
the form next to the field they name."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from config.api.errors import ApiError
from moderation.models import ReportReason
from projects.models import CollaboratorRole


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


# Errors whose code says which field they are about.
_CODE_FIELDS = {"EMAIL_EXISTS": "email", "USERNAME_EXISTS": "username"}
# Fields the services name differently from the pages' forms.
_FIELD_ALIASES = {"password": "new_password"}


def add_api_error(form: forms.Form, error: ApiError) -> None:
    """Show a service's error on the form: on the field it names, else above the form."""
    details = error.details if isinstance(error.details, list) else []
    coded = _CODE_FIELDS.get(str(error.code))
    if coded in form.fields:
        form.add_error(coded, error.message)
        return
    placed = False
    for item in details:
        if not isinstance(item, dict):
            continue
        field = _snake(str(item.get("field") or ""))
        if field not in form.fields:
            field = _FIELD_ALIASES.get(field, field)
        if field in form.fields:
            form.add_error(field, str(item.get("message") or error.message))
            placed = True
    if not placed:
        form.add_error(None, error.message)


class SignInForm(forms.Form):
    email = forms.EmailField(widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class SignUpForm(forms.Form):
    email = forms.EmailField(widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    username = forms.RegexField(
        regex=r"^[A-Za-z0-9_.-]{3,30}$",
        help_text="3 to 30 letters, digits, dots, dashes or underscores.",
        error_messages={"invalid": "Use 3 to 30 letters, digits, dots, dashes or underscores."},
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    display_name = forms.CharField(
        max_length=100, required=False, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 8 characters, not a common password.",
    )


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class NewPasswordForm(forms.Form):
    new_password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    confirm = forms.CharField(
        label="Repeat the new password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password") and data.get("new_password") != data.get("confirm"):
            self.add_error("confirm", "The two passwords differ.")
        return data


class ProfileForm(forms.Form):
    display_name = forms.CharField(max_length=100, required=False)
    bio = forms.CharField(max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    avatar_url = forms.URLField(max_length=500, required=False, label="Avatar URL")


class SettingsForm(forms.Form):
    login_notifications = forms.BooleanField(
        required=False, label="E-mail me each time someone signs in to my account"
    )


class IdeaForm(forms.Form):
    title = forms.CharField(max_length=200)
    prompt = forms.CharField(
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What the story is about: its premise, in a few sentences.",
    )
    category_id = forms.ChoiceField(label="Category")
    tags = forms.CharField(
        required=False, max_length=300, help_text="Comma-separated, e.g. space, mystery"
    )

    def __init__(self, *args: Any, categories: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["category_id"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = categories


class SceneCreateForm(forms.Form):
    title = forms.CharField(max_length=200)
    initial_script = forms.CharField(
        label="Opening script",
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="The first segment: who is there, where, and what happens.",
    )


class ContinueForm(forms.Form):
    continuation_text = forms.CharField(
        label="What happens next",
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 7}),
    )
    bible_version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class RetryForm(forms.Form):
    modified_text = forms.CharField(
        label="Your text, edited", max_length=10000, widget=forms.Textarea(attrs={"rows": 7})
    )


class ReportForm(forms.Form):
    target = forms.ChoiceField(label="What are you reporting?")
    reason = forms.ChoiceField(choices=ReportReason.choices)
    description = forms.CharField(
        max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, targets: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["target"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = targets


class ProjectForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(
        max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class InviteForm(forms.Form):
    email = forms.EmailField(label="Their e-mail address")
    role = forms.ChoiceField(choices=CollaboratorRole.choices)
