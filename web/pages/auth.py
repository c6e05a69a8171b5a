"""Logging in and out. Users are made with `flowbridge users create NAME [--admin]`; none exists at first."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from .. import login
from .blueprint import engine, local_target, pages


@pages.route("/login", methods=["GET", "POST"])
def login_page() -> Any:
    """The login form; with no user at all, how to make the first administrator instead."""
    target = local_target(request.values.get("next"), url_for("pages.task_list"))
    if login.session_principal() is not None:
        return redirect(target)
    if not engine().accounts.any_users():
        return render_template("login.html", no_users=True, next=target)
    if request.method == "GET":
        return render_template("login.html", next=target)
    name, password = request.form.get("name", ""), request.form.get("password", "")
    principal = engine().accounts.authenticate(name, password) if login.form_limits(name, password) else None
    if principal is None:
        # One message for every failure, so the page does not tell which names exist.
        return render_template("login.html", next=target, name=name, failed=True), 401
    login.log_in(principal)
    flash(f"Welcome, {principal.name}.", "info")
    return redirect(target)


@pages.post("/logout")
def logout() -> Any:
    """End the session (a POST with the CSRF token, so no other site can log a user out)."""
    login.log_out()
    flash("You are logged out.", "info")
    return redirect(url_for("pages.login_page"))
