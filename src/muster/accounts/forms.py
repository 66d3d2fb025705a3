"""The sign-in forms: only parsing and the messages for what is missing or malformed."""

from __future__ import annotations

import re

from django import forms

from muster.accounts.authenticator import DIGITS

ENTER_CODE = f"Enter the {DIGITS}-digit code from your authenticator app"


class PasswordForm(forms.Form):
    username = forms.CharField(max_length=150, error_messages={"required": "Enter your username"})
    password = forms.CharField(strip=False, error_messages={"required": "Enter your password"})


class CodeForm(forms.Form):
    code = forms.CharField(max_length=20, error_messages={"required": ENTER_CODE})

    def clean_code(self) -> str:
        code = re.sub(r"[\s-]", "", self.cleaned_data["code"])  # apps show "123 456"
        if not re.fullmatch(r"[0-9]+", code):
            raise forms.ValidationError("The code must only include numbers")
        if len(code) != DIGITS:
            raise forms.ValidationError(f"The code must be {DIGITS} digits")
        return code
