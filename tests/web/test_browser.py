"""The platform in a real browser: Debian's Chromium, driven by Playwright, against the
platform served as `make run` serves it (HTTP and WebSockets on one port, the embedded worker
rendering real, tiny videos). Skipped, with the reason, only where Chromium is missing.

Scenarios (issue 16): a visitor browses and watches a scene play; a new user signs up,
creates a scene, watches it render live, continues it, meets a continuity violation and fixes
it, loses a version race and recovers; a report filed from the page reaches the moderators'
queue; every page, at 390 px and 1440 px, is screenshotted and has no serious or critical
axe-core violation.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PASSWORD,
    WIDTHS,
    Server,
    axe_violations,
    chromium_missing,
    copy_log,
    screenshots_dir,
    start_server,
    stop_server,
)

pytestmark = [
    pytest.mark.skipif(chromium_missing() is not None, reason=str(chromium_missing())),
    pytest.mark.browser,
]

IDEA = "idea_last_starship"
SCRIPT = (
    "Captain Maya Chen stared at the flickering display. After 500 years of silence, the "
    "colony ship Aurora had finally sent a message. But the coordinates didn't match any known "
    "location..."
)
CONTINUATION = (
    "Maya's hand trembled as she decoded the message. The Aurora wasn't asking for help. "
    "'Do not come home,' it read."
)
DRIFT = "'We cannot ignore this,' Captain Williams said. Maya nodded slowly."
FIXED = "'We cannot ignore this,' Captain Chen said. Maya nodded slowly."
RENDER_TIMEOUT_MS = 180_000


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    running = start_server(tmp_path_factory.mktemp("web-browser"))
    try:
        yield running
    finally:
        stop_server(running)
        copy_log(running, "server.log")


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def rendered_scene(server) -> dict[str, Any]:
    """A scene with one rendered segment, made through the API by its own user."""
    token = server.signup("apiwriter")
    status, body = server.api(
        "POST",
        "/api/v1/scenes",
        {"ideaId": IDEA, "title": "The Signal", "initialScript": SCRIPT},
        token=token,
    )
    assert status == 201, body
    job = server.wait_job(body["data"]["job"]["id"], token)
    assert job["status"] == "completed", job
    return {"id": body["data"]["scene"]["id"], "token": token}


def new_page(chromium: Any, server: Server, width: str = "1440") -> Any:
    context = chromium.new_context(viewport=WIDTHS[width], base_url=server.base)
    page = context.new_page()
    page.set_default_timeout(30_000)
    return page


def sign_up(page: Any, name: str) -> None:
    page.goto("/signup/")
    page.get_by_label("Email").fill(f"{name}@example.com")
    page.get_by_label("Username").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url(re.compile(r"/$"))
    assert page.get_by_text(name, exact=True).first.is_visible()


def record_socket(page: Any) -> list[dict[str, Any]]:
    """Every JSON message the page's WebSockets receive."""
    frames: list[dict[str, Any]] = []

    def on_socket(socket: Any) -> None:
        def received(payload: Any) -> None:
            with contextlib.suppress(TypeError, ValueError):
                frames.append(json.loads(payload))

        socket.on("framereceived", received)

    page.on("websocket", on_socket)
    return frames


def snap(page: Any, name: str) -> None:
    """Screenshot the page as it is at both widths (a state that only a scenario reaches)."""
    folder, size = screenshots_dir(), page.viewport_size
    for width, viewport in WIDTHS.items():
        page.set_viewport_size(viewport)
        page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size(size)


def wait_played(page: Any, seconds: float = 0.5) -> None:
    """The scene's video plays: its time advances past `seconds`."""
    page.evaluate(
        "() => { const v = document.getElementById('story-video'); v.muted = true; v.play(); }"
    )
    page.wait_for_function(
        f"document.getElementById('story-video').currentTime > {seconds}", timeout=30_000
    )


@pytest.mark.timeout(900)
def test_a_new_user_creates_continues_fixes_a_violation_and_recovers_from_a_race(server, chromium):
    page = new_page(chromium, server)
    frames = record_socket(page)
    sign_up(page, "newwriter")

    # Create a scene from the document's idea: the job page shows it render, live.
    page.goto(f"/ideas/{IDEA}/")
    page.get_by_role("link", name="Start a scene from this idea").click()
    page.get_by_label("Title").fill("The Signal, told in a browser")
    page.get_by_label("Opening script").fill(SCRIPT)
    page.get_by_role("button", name="Create the scene").click()
    page.wait_for_url(re.compile(r"/my/jobs/job_"))
    assert page.locator("#job-stages li").count() == 5
    snap(page, "job-live")
    page.wait_for_url(re.compile(r"/scenes/scn_[^/]+/\?segment=seg_"), timeout=RENDER_TIMEOUT_MS)
    progress = [f for f in frames if f.get("type") == "job_progress"]
    assert {f["stage"] for f in progress} >= {"script_expansion", "video_generation"}
    assert any(0 < f["progress"] < 100 for f in progress)
    assert any(f.get("type") == "job_complete" for f in frames)
    scene_url = page.url.split("?")[0]
    wait_played(page)

    # Captain Williams contradicts the bible: each issue with its suggestion, edit, retry.
    page.get_by_label("What happens next").fill(DRIFT)
    page.get_by_role("button", name="Continue the scene").click()
    page.wait_for_url(re.compile(r"/my/jobs/job_"))
    error = page.locator("#job-error")
    error.wait_for(timeout=RENDER_TIMEOUT_MS)
    assert "Captain Williams" in error.inner_text()
    assert "Suggestion:" in error.inner_text()
    assert not axe_violations(page)
    snap(page, "job-continuity-violation")
    page.get_by_label("Your text, edited").fill(FIXED)
    page.get_by_role("button", name=re.compile("^Retry")).click()
    page.wait_for_url(re.compile(r"/scenes/scn_[^/]+/\?segment=seg_"), timeout=RENDER_TIMEOUT_MS)
    assert page.locator("ol.segments > li[data-segment]").count() == 2
    assert "Captain Chen said" in page.locator("ol.segments").inner_text()

    # The writer reads version 2; meanwhile someone else continues from it first.
    page.goto(scene_url)
    page.get_by_label("What happens next").fill(CONTINUATION)
    rival = server.signup("rival")
    scene_id = scene_url.rstrip("/").rsplit("/", 1)[1]
    status, body = server.api(
        "POST",
        f"/api/v1/scenes/{scene_id}/continue",
        {"continuationText": "Kai ran to the bridge.", "bibleVersion": 2},
        token=rival,
    )
    assert status == 202, body
    assert server.wait_job(body["data"]["job"]["id"], rival)["status"] == "completed"
    page.get_by_role("button", name="Continue the scene").click()
    conflict = page.locator("#version-conflict")
    assert "Someone else continued this scene first" in conflict.inner_text()
    assert "Kai ran to the bridge." in page.content()
    assert page.get_by_label("What happens next").input_value() == CONTINUATION
    assert not axe_violations(page)
    snap(page, "continue-version-conflict")
    page.get_by_role("button", name="Continue from version 3").click()
    page.wait_for_url(re.compile(r"/scenes/scn_[^/]+/\?segment=seg_"), timeout=RENDER_TIMEOUT_MS)
    assert page.locator("ol.segments > li[data-segment]").count() == 4
    wait_played(page, 0.2)
    page.context.close()


def test_a_visitor_browses_and_watches_a_scene_play(server, chromium, rendered_scene):
    page = new_page(chromium, server, "390")
    page.goto("/")
    page.get_by_role("link", name="Browse").first.click()
    page.get_by_role("link", name="Science Fiction").first.click()
    assert page.get_by_role("heading", name="Science Fiction").is_visible()
    page.goto("/")
    page.locator(f'a[href="/scenes/{rendered_scene["id"]}/"]').first.click()
    page.wait_for_url(re.compile(rf"/scenes/{rendered_scene['id']}/"))
    page.wait_for_function("window.storyPlayer !== undefined")
    assert page.evaluate("window.storyPlayer.mode") in ("hls.js", "native-hls")
    wait_played(page, 1.0)
    page.context.close()


def test_a_report_filed_from_the_scene_page_is_in_the_moderation_queue(
    server, chromium, rendered_scene
):
    page = new_page(chromium, server)
    sign_up(page, "reporter")
    page.goto(f"/scenes/{rendered_scene['id']}/")
    page.get_by_text("Report this scene or a segment").click()
    page.get_by_label("What are you reporting?").select_option(label="Segment 1")
    page.get_by_label("Reason").select_option("spam")
    page.get_by_label("Description").fill("Advertises a shop in every frame")
    page.get_by_role("button", name="Send report").click()
    assert page.get_by_text("Thank you for your report").is_visible()
    page.context.close()

    server.manage(
        "shell",
        "-c",
        "from tests.factories import UserFactory; "
        "UserFactory(email='mod@example.com', username='mod', role='moderator', is_staff=True)",
    )
    status, body = server.api(
        "POST", "/api/v1/auth/login", {"email": "mod@example.com", "password": PASSWORD}
    )
    assert status == 200, body
    _, queue = server.api("GET", "/api/v1/moderation/queue", token=body["data"]["token"])
    reports = [r for r in queue["data"] if r["description"] == "Advertises a shop in every frame"]
    assert len(reports) == 1
    assert (reports[0]["targetType"], reports[0]["reason"]) == ("segment", "spam")
    assert reports[0]["reporter"]["username"] == "reporter"


def overflow(page: Any) -> list[dict[str, Any]]:
    """A page wider than the window (a sideways scroll at 390 px) counts as a violation."""
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > page.viewport_size["width"]:
        return [{"id": "horizontal-overflow", "impact": "serious", "scrollWidth": width}]
    return []


def _pages(server: Server, scene_id: str) -> list[tuple[str, str]]:
    return [
        ("home", "/"),
        ("browse", "/browse/"),
        ("topic", "/topics/top_scifi/"),
        ("ideas", "/ideas/"),
        ("idea", f"/ideas/{IDEA}/"),
        ("scenes", "/scenes/"),
        ("scene", f"/scenes/{scene_id}/"),
        ("bible", f"/scenes/{scene_id}/bible/"),
        ("signin", "/signin/"),
        ("signup", "/signup/"),
        ("password-reset", "/accounts/password_reset/"),
        ("not-found", "/no/such/page/"),
    ]


SIGNED_IN_PAGES = [
    ("idea-submit", "/ideas/new/"),
    ("scene-create", f"/ideas/{IDEA}/scenes/new/"),
    ("continue", "/scenes/{scene}/continue/"),
    ("report", "/scenes/{scene}/report/"),
    ("my-work", "/my/"),
    ("jobs", "/my/jobs/"),
    ("profile", "/account/"),
]


def test_every_page_at_both_widths_is_screenshotted_without_serious_axe_violations_or_overflow(
    server, chromium, rendered_scene
):
    folder: Path = screenshots_dir()
    found: dict[str, list[dict[str, Any]]] = {}
    _, jobs = server.api("GET", "/api/v1/jobs", token=rendered_scene["token"])
    status, project = server.api(
        "POST", "/api/v1/projects", {"title": "Pilot"}, token=rendered_scene["token"]
    )
    assert status == 201, project
    signed_in = [
        (name, path.replace("{scene}", rendered_scene["id"])) for name, path in SIGNED_IN_PAGES
    ] + [
        ("job", f"/my/jobs/{jobs['data'][0]['id']}/"),
        ("project", f"/my/projects/{project['data']['id']}/"),
    ]
    for width in WIDTHS:
        visitor = new_page(chromium, server, width)
        for name, path in _pages(server, rendered_scene["id"]):
            visitor.goto(path)
            visitor.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
            found[f"{name}@{width}"] = axe_violations(visitor) + overflow(visitor)
        visitor.context.close()
        member = new_page(chromium, server, width)
        member.goto("/signin/")
        member.get_by_label("Email").fill("apiwriter@example.com")
        member.get_by_label("Password").fill(PASSWORD)
        member.get_by_role("button", name="Sign in").click()
        member.wait_for_url(re.compile(r"/$"))
        for name, path in signed_in:
            member.goto(path)
            member.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
            found[f"{name}@{width}"] = axe_violations(member) + overflow(member)
        member.context.close()
    serious = {page: violations for page, violations in found.items() if violations}
    assert not serious, json.dumps(serious, indent=1)
    assert len(list(folder.glob("*-390.png"))) >= 20 and len(list(folder.glob("*-1440.png"))) >= 20
