"""Writes: start a session, answer a message, take a choice (and at `production`, start the
scene and its render), pause and resume, attach an upload.

Each write takes the session's row lock (`select_for_update`), so two members acting at once
are served one after the other and positions and timestamps never go back. Every user text is
screened by moderation before anything is stored: a rejected text is a 400 naming the field
and changes nothing. The members hear of each stored message over the WebSocket after the
commit (chat.events).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from assets.models import Asset
from assets.services import asset_create_from_upload
from catalog.models import Topic, TopicStatus
from catalog.services import idea_create
from chat import events, selectors, workflow, writer
from chat.choices import LAST_STEP, STEPS, MessageRole, SessionStatus, percentage_for, step_index
from chat.models import ChatMessage, ChatSession
from config.api.errors import Conflict, ValidationFailed
from config.api.responses import iso
from moderation.choices import ModerationStatus
from moderation.screening import screen_text
from projects.models import Project
from projects.services import project_progress_set
from scenes.analysis.bible import character_id
from scenes.models import BibleVersion
from scenes.services import scene_create

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 5000
MAX_ATTACHMENTS = 10


@dataclass
class Turn:
    """What one write produced: the session, the user's message and the assistant's answer."""

    session: ChatSession
    user_message: ChatMessage
    answer: ChatMessage
    advanced: bool = False
    new_step: str = ""
    scene_id: str = ""
    job_id: str = ""


# --- helpers ------------------------------------------------------------------------------


def _screen(text: str, *, field: str) -> dict[str, Any]:
    """Moderation's verdict on a user's text; a rejected one is refused (400, nothing stored)."""
    result = screen_text(text, context="chat message")
    if result.rejected:
        raise ValidationFailed.for_field(field, "This text was refused by content moderation.")
    return {"status": str(result.status), "score": result.score, "backend": result.backend}


def _check_attachments(project: Project, ids: list[str]) -> list[str]:
    """The attachments must be the project's own assets (else 400 naming `attachments`)."""
    if len(ids) > MAX_ATTACHMENTS:
        raise ValidationFailed.for_field("attachments", f"At most {MAX_ATTACHMENTS} attachments.")
    unique = list(dict.fromkeys(ids))
    found = set(
        Asset.objects.filter(pk__in=unique, project=project, removed_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    missing = [i for i in unique if i not in found]
    if missing:
        raise ValidationFailed.for_field(
            "attachments", f"Not a media item of this project: {', '.join(missing)}."
        )
    return unique


def _locked(session: ChatSession) -> ChatSession:
    return ChatSession.objects.select_for_update().select_related("project").get(pk=session.pk)


def _require_active(session: ChatSession) -> None:
    if session.status == SessionStatus.PAUSED:
        raise Conflict("This session is paused; resume it first.")
    if session.status == SessionStatus.COMPLETED:
        raise Conflict("This session is completed; its scene is in production.")


def _add(
    session: ChatSession,
    *,
    role: str,
    content: str,
    author: User | None = None,
    choices: list[dict[str, Any]] | None = None,
    attachments: list[str] | None = None,
    metadata: dict[str, Any] | None = None,
) -> ChatMessage:
    """Append a message to a locked session: the next position, a time never before the last."""
    now = max(timezone.now(), session.last_activity)
    session.message_count += 1
    session.last_activity = now
    return ChatMessage.objects.create(
        session=session,
        position=session.message_count,
        author=author,
        role=role,
        content=content,
        step=session.current_step,
        choices=choices or [],
        attachments=attachments or [],
        metadata=metadata or {},
        created_at=now,
    )


def _answer(session: ChatSession, *, user_text: str, extra: str = "") -> ChatMessage:
    """The assistant's answer for the session's current step, stored."""
    refs = selectors.references(project=session.project)
    offered = workflow.offer(session.current_step, session.context_data, refs)
    written = writer.answer(
        step=session.current_step,
        context=session.context_data,
        user_text=user_text,
        offered=offered,
        session_id=session.pk,
        position=session.message_count + 1,
    )
    content = f"{extra} {written.content}".strip() if extra else written.content
    return _add(
        session,
        role=MessageRole.ASSISTANT,
        content=content,
        choices=written.choices,
        metadata={
            "processingTime": written.processing_ms,
            "textBackend": written.backend,
            "step": session.current_step,
        },
    )


def _sender(user: User) -> dict[str, Any]:
    return {"id": user.pk, "name": user.get_full_name() or user.username, "role": "user"}


def _announce(session: ChatSession, user_message: ChatMessage, answer: ChatMessage) -> None:
    """message-received then ai-response to the members, and the chat.ai_response webhook."""
    author = user_message.author
    events.publish(
        session.pk,
        {
            "type": "message-received",
            "sessionId": session.pk,
            "messageId": user_message.pk,
            "position": user_message.position,
            "sender": _sender(author) if author else {},
            "content": user_message.content,
            "attachments": list(user_message.attachments),
            "timestamp": iso(user_message.created_at),
        },
    )
    events.publish(session.pk, ai_response_event(session, answer))
    events.webhook(
        owner_id=session.project.owner_id,
        event="chat.ai_response",
        data={
            "sessionId": session.pk,
            "projectId": session.project_id,
            "messageId": answer.pk,
            "step": answer.step,
            "content": answer.content,
            "choices": answer.choices,
        },
    )


def ai_response_event(session: ChatSession, answer: ChatMessage) -> events.ChatEvent:
    return {
        "type": "ai-response",
        "sessionId": session.pk,
        "messageId": answer.pk,
        "position": answer.position,
        "content": answer.content,
        "choices": list(answer.choices),
        "processingTime": int(answer.metadata.get("processingTime", 0)),
        "currentStep": answer.step,
        "timestamp": iso(answer.created_at),
    }


def _sync_project(session: ChatSession) -> None:
    progress = selectors.progress_of(session)
    project_progress_set(
        project_id=session.project_id,
        percentage=progress["percentage"],
        phase=session.current_step,
        completed=len(session.completed_steps),
        total=len(STEPS),
    )


def _save(session: ChatSession) -> None:
    session.save(
        update_fields=[
            "current_step",
            "completed_steps",
            "status",
            "context_data",
            "scene_id",
            "job_id",
            "message_count",
            "last_activity",
        ]
    )


# --- writes -------------------------------------------------------------------------------


def session_start(
    *, project: Project, user: User, text: str, attachments: list[str] | None = None
) -> Turn:
    """A new session on `project` from its first message (the concept), answered."""
    verdict = _screen(text, field="message")
    with transaction.atomic():
        attached = _check_attachments(project, attachments or [])
        session = ChatSession.objects.create(
            project=project,
            user=user,
            context_data={
                "concept": {"text": text},
                "episodeCount": project.episode_count,
                "mediaReferences": attached,
                "currentFocus": STEPS[0],
            },
        )
        session.project = project
        user_message, answer = _exchange(
            session, user=user, text=text, attached=attached, verdict=verdict
        )
        _sync_project(session)
        _announce(session, user_message, answer)
    return Turn(session, user_message, answer)


def _exchange(
    session: ChatSession, *, user: User, text: str, attached: list[str], verdict: dict[str, Any]
) -> tuple[ChatMessage, ChatMessage]:
    """The member's screened message and the assistant's answer, saved with the session."""
    user_message = _add(
        session,
        role=MessageRole.USER,
        content=text,
        author=user,
        attachments=attached,
        metadata={"moderation": verdict},
    )
    answer = _answer(session, user_text=text)
    _save(session)
    return user_message, answer


def message_post(
    *, session: ChatSession, user: User, text: str, attachments: list[str] | None = None
) -> Turn:
    """A member's free text in the current step, answered without advancing.

    At `concept-development` the text is the concept as it now stands (a change of mind);
    later, its words reach the writer with the decisions and the step's choices are offered
    again (with what the new attachments bring).
    """
    verdict = _screen(text, field="message")
    with transaction.atomic():
        session = _locked(session)
        _require_active(session)
        attached = _check_attachments(session.project, attachments or [])
        context = dict(session.context_data)
        if session.current_step == STEPS[0]:
            context["concept"] = {**context.get("concept", {}), "text": text}
        refs = list(context.get("mediaReferences") or [])
        context["mediaReferences"] = refs + [a for a in attached if a not in refs]
        session.context_data = context
        user_message, answer = _exchange(
            session, user=user, text=text, attached=attached, verdict=verdict
        )
        _announce(session, user_message, answer)
    return Turn(session, user_message, answer)


def choice_select(
    *, session: ChatSession, user: User, choice_id: str, custom_input: str = ""
) -> Turn:
    """Take one of the latest offered choices (refined by `custom_input`) and advance.

    Up to `storyboard` the session moves to the next step; at `production` the decisions
    become a scene (under an idea made from the concept) with its Scene Bible and first render
    job, and the session completes.
    """
    custom_input = custom_input.strip()
    verdict = _screen(custom_input, field="customInput") if custom_input else None
    with transaction.atomic():
        session = _locked(session)
        _require_active(session)
        offer = selectors.last_offer(session)
        picked = next((c for c in (offer.choices if offer else []) if c["id"] == choice_id), None)
        if picked is None:
            offered = ", ".join(c["id"] for c in (offer.choices if offer else []))
            raise ValidationFailed.for_field(
                "choiceId", f"Not one of the choices offered for this step ({offered})."
            )
        step = session.current_step
        decision = workflow.decide(step, picked, custom_input)
        context = dict(session.context_data)
        key = workflow.DECISION_KEYS[step]
        if key == "concept":
            decision["text"] = context.get("concept", {}).get("text", "")
        context[key] = decision
        refs = list(context.get("mediaReferences") or [])
        context["mediaReferences"] = refs + [
            r for r in decision.get("referenceIds", []) if r not in refs
        ]
        session.context_data = context
        words = f"Chose “{picked['title']}”" + (f": {custom_input}" if custom_input else "")
        user_message = _add(
            session,
            role=MessageRole.USER,
            content=words,
            author=user,
            metadata={"choiceId": choice_id, **({"moderation": verdict} if verdict else {})},
        )
        session.completed_steps = [*session.completed_steps, step]
        turn = Turn(session, user_message, user_message, advanced=True)
        if step == LAST_STEP:
            scene_id, job_id = _produce(session, user, decision)
            session.status = SessionStatus.COMPLETED
            session.scene_id, session.job_id = scene_id, job_id
            turn.scene_id, turn.job_id = scene_id, job_id
            turn.new_step = LAST_STEP
            extra = (
                f"Production has started: scene {scene_id} with its Scene Bible, and render "
                f"job {job_id} for its first segment."
            )
            turn.answer = _production_answer(session, extra, scene_id, job_id)
        else:
            session.current_step = STEPS[step_index(step) + 1]
            context["currentFocus"] = session.current_step
            turn.new_step = session.current_step
            turn.answer = _answer(session, user_text=custom_input)
        _save(session)
        _sync_project(session)
        _announce(session, user_message, turn.answer)
        progress = selectors.progress_of(session)
        events.publish(
            session.pk,
            {
                "type": "progress-update",
                "sessionId": session.pk,
                "projectId": session.project_id,
                "progress": {
                    "percentage": progress["percentage"],
                    "stepCompleted": step,
                    "nextStep": session.current_step
                    if session.status != SessionStatus.COMPLETED
                    else None,
                    "completedSteps": progress["completedSteps"],
                },
            },
        )
    return turn


def _production_answer(session: ChatSession, extra: str, scene_id: str, job_id: str) -> ChatMessage:
    written = writer.answer(
        step=LAST_STEP,
        context=session.context_data,
        user_text="",
        offered=[],
        session_id=session.pk,
        position=session.message_count + 1,
    )
    choices = [
        {
            "id": "choice-1",
            "title": "Follow the render",
            "description": "Watch the first segment's render job",
            "metadata": {"jobId": job_id, "url": f"/api/v1/jobs/{job_id}"},
        },
        {
            "id": "choice-2",
            "title": "Open the scene",
            "description": "The scene, its Scene Bible and segments",
            "metadata": {"sceneId": scene_id, "url": f"/api/v1/scenes/{scene_id}"},
        },
    ]
    return _add(
        session,
        role=MessageRole.ASSISTANT,
        content=extra,
        choices=choices,
        metadata={
            "processingTime": written.processing_ms,
            "textBackend": written.backend,
            "step": LAST_STEP,
            "sceneId": scene_id,
            "jobId": job_id,
        },
    )


def _value(context: dict[str, Any], key: str, default: Any = "") -> Any:
    return (context.get(key) or {}).get("value") or default


def _topic_for(genre: str) -> Topic:
    topics = Topic.objects.filter(status=TopicStatus.APPROVED)
    topic = topics.filter(name__iexact=genre).first() or topics.order_by("created_at").first()
    if topic is None:
        raise Conflict("No approved topic exists to file this story's idea under.")
    return topic


def _characters(context: dict[str, Any]) -> list[dict[str, Any]]:
    """The chosen characters, each a dict with a name (anything else is left out)."""
    chosen = _value(context, "characters", [])
    if not isinstance(chosen, list):
        return []
    return [c for c in chosen if isinstance(c, dict) and isinstance(c.get("name"), str)]


def production_script(context: dict[str, Any]) -> str:
    """The first scene's script, from the decisions."""
    characters = _characters(context)
    lead = characters[0] if characters else {"name": "The lead", "description": ""}
    setting = _value(context, "setting", "an unnamed place")
    plot = _value(context, "plot", "")
    concept = _value(context, "concept", "")
    lines = [f"{lead['name']} arrives in {setting}."]
    if lead.get("description"):
        lines.append(f"{lead['name']} is {lead['description'].rstrip('.')}.")
    for other in characters[1:3]:
        lines.append(f"{other['name']} waits there: {other.get('description', '').rstrip('.')}.")
    if concept:
        lines.append(str(concept).rstrip(".") + ".")
    if plot:
        lines.append(str(plot).rstrip(".") + ".")
    return " ".join(lines)[:9000]


def seeded_bible(bible: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
    """The analyser's first bible with the decisions written into it: the chosen characters
    (names, descriptions, traits, relationships), setting, world rules and style guide."""
    bible = {**bible}
    chosen = _characters(context)
    taken: set[str] = set()
    ids: dict[str, str] = {}
    for person in chosen:
        ids[person["name"]] = character_id(person["name"], taken)
        taken.add(ids[person["name"]])
    characters = []
    for person in chosen:
        characters.append(
            {
                "entityId": ids[person["name"]],
                "canonicalName": person["name"],
                "aliases": [],
                "description": person.get("description", ""),
                "traits": list(person.get("traits", [])),
                "relationships": [
                    {"targetEntityId": ids[r["target"]], "relationshipType": r["type"]}
                    for r in person.get("relationships", [])
                    if r.get("target") in ids
                ],
                "introducedInSegment": 1,
                "isActive": True,
            }
        )
    chosen_names = {c["canonicalName"].lower() for c in characters}
    others = [
        c
        for c in bible.get("characters", [])
        if c.get("canonicalName", "").lower() not in chosen_names and c.get("entityId") not in taken
    ]
    bible["characters"] = characters + others
    setting = dict(bible.get("setting") or {})
    setting_decision = context.get("setting") or {}
    setting["primaryLocation"] = str(
        setting_decision.get("value") or setting.get("primaryLocation")
    )
    rules = list(setting.get("worldRules") or [])
    genre = _value(context, "genre", "")
    for rule in (
        f"The story stays true to {genre}" if genre else "",
        f"Tone: {(context.get('concept') or {}).get('title', '')}".strip(),
        setting_decision.get("custom", ""),
    ):
        if rule and rule not in rules and not rule.endswith(":"):
            rules.append(rule)
    setting["worldRules"] = rules
    bible["setting"] = setting
    style = dict(bible.get("styleGuide") or {})
    style["genre"] = genre or style.get("genre", "")
    style["tone"] = str((context.get("concept") or {}).get("title") or style.get("tone", ""))
    visual = context.get("style") or {}
    palette = visual.get("palette") or []
    style["visualStyle"] = str(visual.get("value") or "") + (
        f" (palette {', '.join(palette)})" if palette else ""
    )
    narrative = [str(_value(context, "plot", "")), str(_value(context, "storyboard", ""))]
    style["narrativeStyle"] = "; ".join(n for n in narrative if n)
    bible["styleGuide"] = style
    return bible


def _produce(session: ChatSession, user: User, decision: dict[str, Any]) -> tuple[str, str]:
    """The scene (under an idea from the concept) and its first render job."""
    context = session.context_data
    project = session.project
    concept = str(_value(context, "concept", "") or project.title)
    genre = str(_value(context, "genre", "drama"))
    topic = _topic_for(genre)
    idea = idea_create(
        author=user, title=project.title[:200], prompt=concept[:2000], topic_id=topic.pk
    )
    if idea.moderation_status != ModerationStatus.APPROVED:
        raise Conflict(
            f"The story's idea is {idea.moderation_status} by moderation; it cannot be produced."
        )
    script = production_script(context)
    scene, job = scene_create(
        creator=user,
        idea_id=idea.pk,
        title=project.title[:200],
        initial_script=script,
        description=concept[:2000],
    )
    version = BibleVersion.objects.get(scene=scene, version=1)
    version.content = seeded_bible(version.content, context)
    version.save(update_fields=["content"])
    return scene.pk, job.pk


def session_pause(*, session: ChatSession) -> ChatSession:
    """active → paused (409 otherwise)."""
    moved = ChatSession.objects.filter(pk=session.pk, status=SessionStatus.ACTIVE).update(
        status=SessionStatus.PAUSED, last_activity=timezone.now()
    )
    if not moved:
        raise Conflict(f"Only an active session can be paused (this one is {session.status}).")
    session.refresh_from_db()
    return session


def session_resume(*, session: ChatSession) -> ChatSession:
    """paused → active (409 otherwise)."""
    moved = ChatSession.objects.filter(pk=session.pk, status=SessionStatus.PAUSED).update(
        status=SessionStatus.ACTIVE, last_activity=timezone.now()
    )
    if not moved:
        raise Conflict(f"Only a paused session can be resumed (this one is {session.status}).")
    session.refresh_from_db()
    return session


def upload_attach(
    *,
    session: ChatSession,
    user: User,
    uploaded_file: UploadedFile,
    description: str = "",
    media_type: str = "",
) -> Asset:
    """Store and analyse an upload as the project's asset (the assets app's checks), and
    reference it from the session's context: the next answers draw on its analysis."""
    if description:
        _screen(description, field="description")
    _require_active(session)
    asset = asset_create_from_upload(
        owner=user,
        project=session.project,
        uploaded_file=uploaded_file,
        media_type=media_type,
        description=description,
    )
    with transaction.atomic():
        locked = _locked(session)
        context = dict(locked.context_data)
        refs = list(context.get("mediaReferences") or [])
        if asset.pk not in refs:
            context["mediaReferences"] = [*refs, asset.pk]
        locked.context_data = context
        locked.last_activity = max(timezone.now(), locked.last_activity)
        locked.save(update_fields=["context_data", "last_activity"])
    return asset


# --- job events (registered in ChatConfig.ready) ------------------------------------------


def on_job_event(job: Any, message: dict[str, Any]) -> None:
    """A session's render completing: project.completed; an asset's analysis: media.processed."""
    if message.get("type") != "job_complete":
        return
    if job.type == "asset_analysis":
        asset = Asset.objects.filter(pk=(job.input or {}).get("asset_id")).first()
        if asset is not None:
            project = asset.project
            webhooks_owner = project.owner_id if project is not None else asset.owner_id
            events.webhook(
                owner_id=webhooks_owner,
                event="media.processed",
                data={
                    "mediaId": asset.pk,
                    "projectId": asset.project_id,
                    "status": asset.status,
                    "analysis": asset.analysis,
                    "jobId": job.pk,
                },
            )
        return
    session = ChatSession.objects.select_related("project").filter(job_id=job.pk).first()
    if session is None:
        return
    events.webhook(
        owner_id=session.project.owner_id,
        event="project.completed",
        data={
            "projectId": session.project_id,
            "sessionId": session.pk,
            "sceneId": session.scene_id,
            "jobId": job.pk,
            "result": message.get("result"),
        },
    )
    events.send_now(
        session.pk,
        {
            "type": "progress-update",
            "sessionId": session.pk,
            "projectId": session.project_id,
            "progress": {
                "percentage": percentage_for(len(STEPS)),
                "stepCompleted": LAST_STEP,
                "nextStep": None,
                "sceneId": session.scene_id,
                "jobId": job.pk,
                "rendered": True,
            },
        },
    )
