"""The project endpoints as each document's client uses them: create, list, read, change.

The AI Movie Platform (title, projectSettings, episodeCount…), StoryCore (name, template,
settings, status `created`), the AI Video System (title, settings, DRAFT) and the film job API
(name, description, snake_case) each manage their projects with their own field names.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import Membership
from config.api.errors import SubscriptionLimit
from projects import counts, services
from projects.models import Project
from tests.config.test_conventions import TIMESTAMP, assert_error
from tests.factories import OrganizationFactory, UserFactory
from tests.projects.factories import CollaboratorFactory, ProjectFactory
from tests.projects.helpers import PROJECTS, born, error_fields, ids, url

pytestmark = pytest.mark.django_db

AI_MOVIE = {
    "title": "My Amazing Movie",
    "description": "An epic adventure story about courage and friendship",
    "genre": "Adventure",
    "episodeCount": 8,
    "targetAudience": "PG",
    "projectSettings": {
        "aspectRatio": "16:9",
        "episodeDuration": 25,
        "qualityTier": "professional",
    },
}
STORYCORE = {
    "name": "My New Project",
    "description": "Project description",
    "template": "basic_video",
    "settings": {"resolution": "1920x1080", "frameRate": 30, "duration": 60},
}


def create(client, body=None, **overrides):
    return client.post(PROJECTS, {**(body or AI_MOVIE), **overrides}, format="json")


# --- POST /projects ---------------------------------------------------------------------------


def test_an_ai_movie_platform_client_creates_a_project_and_reads_its_fields_back(user_api, user):
    response = create(user_api)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["message"] == "Project created successfully"
    data = body["data"]
    assert data["id"].startswith("prj_")
    assert data["title"] == data["name"] == "My Amazing Movie"
    assert (data["genre"], data["episodeCount"], data["targetAudience"]) == ("Adventure", 8, "PG")
    assert data["projectSettings"] == data["settings"] == AI_MOVIE["projectSettings"]
    assert data["progress"] == {
        "percentage": 0,
        "currentPhase": "initial",
        "completedSteps": 0,
        "totalSteps": 15,
    }
    assert data["status"] == "created"
    assert data["createdBy"] == data["owner"]["id"] == user.pk
    assert data["role"] == "owner"
    assert data["organization"] is None and data["organizationId"] is None
    for count in ("assetCount", "mediaCount", "jobCount", "clipCount", "activeSessionsCount"):
        assert data[count] == 0
    assert TIMESTAMP.match(data["createdAt"]) and TIMESTAMP.match(data["updatedAt"])
    assert Project.objects.get(pk=data["id"]).owner == user


def test_a_storycore_client_creates_with_name_template_and_settings(user_api):
    response = create(user_api, STORYCORE)
    assert response.status_code == 201, response.content
    data = response.json()["data"]
    assert data["name"] == data["title"] == "My New Project"
    assert (data["status"], data["template"]) == ("created", "basic_video")
    assert data["settings"] == data["projectSettings"] == STORYCORE["settings"]
    assert data["episodeCount"] == 1


def test_an_ai_video_system_client_creates_a_draft_with_empty_settings(user_api):
    body = {"title": "My Video Project", "description": "Project description", "settings": {}}
    response = create(user_api, body, status="DRAFT")
    assert response.status_code == 201, response.content
    data = response.json()["data"]
    assert (data["status"], data["settings"]) == ("draft", {})


def test_a_film_job_api_client_creates_with_snake_case_name_and_description(user_api):
    response = user_api.post(
        PROJECTS + "/",
        {"name": "My First Film", "description": "A short film about AI", "episode_count": 2},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["data"]["title"] == "My First Film"
    assert response.json()["data"]["episodeCount"] == 2


def test_a_frame_rate_keeps_its_fractions(user_api):
    response = create(user_api, STORYCORE, settings={"frameRate": 29.97})
    assert response.json()["data"]["settings"] == {"frameRate": 29.97}


def test_title_and_name_together_must_agree(user_api):
    assert create(user_api, title="A", name="A").status_code == 201
    body = assert_error(create(user_api, title="B", name="C"), 400, "VALIDATION_ERROR")
    assert error_fields(body) == {"name"}


def test_settings_and_project_settings_together_must_agree(user_api):
    same = {"duration": 60}
    assert create(user_api, STORYCORE, settings=same, projectSettings=same).status_code == 201
    response = create(user_api, STORYCORE, name="Other", projectSettings={"duration": 90})
    assert error_fields(assert_error(response, 400, "VALIDATION_ERROR")) == {"projectSettings"}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": None}, "title"),
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": 42}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"description": "x" * 5001}, "description"),
        ({"description": ["a"]}, "description"),
        ({"genre": 7}, "genre"),
        ({"genre": "x" * 51}, "genre"),
        ({"episodeCount": 0}, "episodeCount"),
        ({"episodeCount": 51}, "episodeCount"),
        ({"episodeCount": "5"}, "episodeCount"),
        ({"episodeCount": 2.5}, "episodeCount"),
        ({"episodeCount": True}, "episodeCount"),
        ({"targetAudience": "x" * 51}, "targetAudience"),
        ({"template": "x" * 101}, "template"),
        ({"status": "done"}, "status"),
        ({"status": "deleted"}, "status"),
        ({"status": 1}, "status"),
        ({"projectSettings": "wide"}, "settings"),
        ({"projectSettings": {"aspectRatio": "5:4"}}, "settings.aspectRatio"),
        ({"projectSettings": {"qualityTier": "ultra"}}, "settings.qualityTier"),
        ({"projectSettings": {"episodeDuration": 0}}, "settings.episodeDuration"),
        ({"projectSettings": {"episodeDuration": 14_401}}, "settings.episodeDuration"),
        ({"projectSettings": {"episodeDuration": "25"}}, "settings.episodeDuration"),
        ({"projectSettings": {"resolution": "1920*1080"}}, "settings.resolution"),
        ({"projectSettings": {"resolution": "10x10"}}, "settings.resolution"),
        ({"projectSettings": {"resolution": 1080}}, "settings.resolution"),
        ({"projectSettings": {"frameRate": 0}}, "settings.frameRate"),
        ({"projectSettings": {"frameRate": 121}}, "settings.frameRate"),
        ({"projectSettings": {"frameRate": "30"}}, "settings.frameRate"),
        ({"projectSettings": {"duration": 0}}, "settings.duration"),
        ({"projectSettings": {"colour": "red"}}, "settings.colour"),
        ({"colour": "red"}, "colour"),
        ({"organizationId": "org_nope"}, "organizationId"),
    ],
)
def test_bad_project_input_is_refused_naming_the_field(user_api, changes, field):
    body = {key: value for key, value in {**AI_MOVIE, **changes}.items() if value is not None}
    response = user_api.post(PROJECTS, body, format="json")
    assert field in error_fields(assert_error(response, 400, "VALIDATION_ERROR"))
    assert not Project.objects.exists()


def test_a_project_without_a_title_or_name_is_refused(user_api):
    response = user_api.post(PROJECTS, {"description": "no title"}, format="json")
    assert error_fields(assert_error(response, 400, "VALIDATION_ERROR")) == {"title"}


def test_read_only_fields_sent_back_are_ignored(user_api, user, other_user):
    response = create(
        user_api,
        id="prj_mine",
        owner={"id": other_user.pk},
        createdBy=other_user.pk,
        jobCount=9,
        progress={"percentage": 80},
        role="owner",
    )
    assert response.status_code == 201, response.content
    data = response.json()["data"]
    assert data["id"] != "prj_mine"
    assert (data["createdBy"], data["jobCount"], data["progress"]["percentage"]) == (user.pk, 0, 0)


def test_a_duplicate_title_for_the_same_owner_is_a_conflict(user_api, client_for, other_user):
    assert create(user_api).status_code == 201
    body = assert_error(create(user_api, title=AI_MOVIE["title"].upper()), 409, "CONFLICT")
    assert body["error"]["details"] == {"title": AI_MOVIE["title"].upper()}
    assert create(client_for(other_user)).status_code == 201  # another owner may use it
    assert Project.objects.count() == 2


def test_the_free_plan_allows_three_projects(user_api, user):
    for number in range(3):
        assert create(user_api, title=f"Film {number}").status_code == 201
    body = assert_error(create(user_api, title="Film 3"), 402, "SUBSCRIPTION_LIMIT")
    assert body["error"]["details"] == {"limit": 3, "current": 3, "plan": "free"}
    assert Project.objects.filter(owner=user).count() == 3


@pytest.mark.parametrize("plan", ["pro", "enterprise"])
def test_paid_plans_create_a_fourth_project_and_more(client_for, plan):
    client = client_for(UserFactory(plan=plan))
    for number in range(5):
        assert create(client, title=f"Film {number}").status_code == 201


def test_deleted_projects_free_their_plan_slot_and_title(user_api):
    created = [create(user_api, title=f"Film {n}").json()["data"]["id"] for n in range(3)]
    assert user_api.delete(url(created[0])).status_code == 200
    assert create(user_api, title="Film 0").status_code == 201


def test_a_project_is_shared_with_an_organization_its_creator_belongs_to(user_api, user):
    org = OrganizationFactory(created_by=user)
    Membership.objects.create(organization=org, user=user, role="member")
    response = create(user_api, organizationId=org.pk)
    assert response.status_code == 201, response.content
    data = response.json()["data"]
    assert data["organization"] == {"id": org.pk, "name": org.name}
    assert data["organizationId"] == org.pk


def test_an_organizations_viewer_cannot_put_projects_in_it(user_api, user):
    org = OrganizationFactory()
    Membership.objects.create(organization=org, user=user, role="viewer")
    assert_error(create(user_api, organizationId=org.pk), 403, "FORBIDDEN")


def test_an_organizations_project_limit_holds(user_api, user, client_for):
    org = OrganizationFactory(settings={"max_projects": 1})
    Membership.objects.create(organization=org, user=user, role="admin")
    assert create(user_api, organizationId=org.pk).status_code == 201
    response = create(user_api, title="Second", organizationId=org.pk)
    assert assert_error(response, 402, "SUBSCRIPTION_LIMIT")["error"]["details"]["limit"] == 1


def test_creating_needs_a_token(api):
    assert_error(create(api), 401, "UNAUTHORIZED")


# --- GET /projects ----------------------------------------------------------------------------


def test_the_list_shows_what_i_own_share_or_see_through_an_organization(user, user_api):
    mine = born(ProjectFactory(owner=user), 40)
    shared = born(ProjectFactory(), 30)
    CollaboratorFactory(project=shared, user=user, role="viewer")
    org = OrganizationFactory()
    Membership.objects.create(organization=org, user=user, role="member")
    through_org = born(ProjectFactory(organization=org), 20)
    ProjectFactory()  # a stranger's
    deleted = ProjectFactory(owner=user)
    deleted.mark_deleted()
    response = user_api.get(PROJECTS)
    assert ids(response) == [through_org.pk, shared.pk, mine.pk]
    roles = {item["id"]: item["role"] for item in response.json()["data"]}
    assert roles == {through_org.pk: "collaborator", shared.pk: "viewer", mine.pk: "owner"}
    assert response.json()["meta"] == {
        "page": 1,
        "limit": 20,
        "total": 3,
        "totalPages": 1,
        "hasMore": False,
    }


def test_the_list_answers_with_or_without_a_trailing_slash(user, user_api):
    project = ProjectFactory(owner=user)
    assert ids(user_api.get(PROJECTS + "/")) == ids(user_api.get(PROJECTS)) == [project.pk]


def test_the_list_needs_a_token(api):
    assert_error(api.get(PROJECTS), 401, "UNAUTHORIZED")


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("active", {"active"}),
        ("ACTIVE", {"active"}),  # the AI Video System's capitals
        ("on-hold", {"on-hold"}),
        ("ON_HOLD", {"on-hold"}),
        ("on_hold", {"on-hold"}),
        ("DRAFT", {"draft"}),
        ("created", {"created"}),  # StoryCore's new projects
        ("completed", set()),
        ("deleted", set()),  # StoryCore's word: a deleted project is gone, even from this
    ],
)
def test_the_list_filters_by_status_in_every_documents_words(user, user_api, word, expected):
    for status in ("active", "on-hold", "draft", "created"):
        ProjectFactory(owner=user, status=status)
    ProjectFactory(owner=user).mark_deleted()
    response = user_api.get(PROJECTS, {"status": word})
    assert response.status_code == 200, response.content
    assert {item["status"] for item in response.json()["data"]} == expected


def test_an_unknown_status_filter_is_a_validation_error(user_api):
    body = assert_error(user_api.get(PROJECTS, {"status": "finished"}), 400, "VALIDATION_ERROR")
    assert error_fields(body) == {"status"}


def test_the_list_filters_by_genre_in_any_case(user, user_api):
    action = ProjectFactory(owner=user, genre="Action")
    ProjectFactory(owner=user, genre="Drama")
    assert ids(user_api.get(PROJECTS, {"genre": "action"})) == [action.pk]
    assert ids(user_api.get(PROJECTS, {"genre": "Western"})) == []


def test_the_list_searches_titles_and_descriptions(user, user_api):
    by_title = born(ProjectFactory(owner=user, title="Urban Thriller", description="x"), 20)
    by_text = born(ProjectFactory(owner=user, title="Other", description="a THRILLER set"), 10)
    ProjectFactory(owner=user, title="Comedy", description="laughs")
    assert ids(user_api.get(PROJECTS, {"search": "thriller"})) == [by_text.pk, by_title.pk]
    assert ids(user_api.get(PROJECTS, {"search": "nothing like it"})) == []


def test_an_over_long_search_is_a_validation_error(user_api):
    response = user_api.get(PROJECTS, {"search": "x" * 201})
    assert error_fields(assert_error(response, 400, "VALIDATION_ERROR")) == {"search"}


@pytest.mark.parametrize("parameter", ["organizationId", "organization_id"])
def test_the_list_filters_by_organization(user, user_api, parameter):
    org = OrganizationFactory()
    Membership.objects.create(organization=org, user=user, role="viewer")
    in_org = ProjectFactory(owner=user, organization=org)
    ProjectFactory(owner=user)
    assert ids(user_api.get(PROJECTS, {parameter: org.pk})) == [in_org.pk]


# For each sort: the values of projects a, b, c (created in that order) and the ascending order.
SORTS = {
    "title": ({"title": ("beta", "Alpha", "charlie")}, "bac"),
    "name": ({"title": ("beta", "Alpha", "charlie")}, "bac"),
    "created_at": ({}, "abc"),
    "updated_at": ({"updated_at": (60, 180, 120)}, "bca"),  # minutes ago
    "progress": ({"progress_percentage": (50, 10, 90)}, "bac"),
}


@pytest.mark.parametrize("sort", list(SORTS))
def test_the_list_sorts_by_each_documented_field_both_ways(user, user_api, sort):
    values, ascending = SORTS[sort]
    projects = {name: born(ProjectFactory(owner=user), m) for name, m in zip("abc", (30, 20, 10))}
    for field, per_project in values.items():
        for name, value in zip("abc", per_project):
            if field == "updated_at":
                value = timezone.now() - timedelta(minutes=value)
            Project.objects.filter(pk=projects[name].pk).update(**{field: value})
    expected = [projects[name].pk for name in ascending]
    assert ids(user_api.get(PROJECTS, {"sort": sort, "order": "asc"})) == expected
    assert ids(user_api.get(PROJECTS, {"sort": sort, "order": "desc"})) == expected[::-1]


def test_the_list_is_newest_first_by_default(user, user_api):
    older, newer = born(ProjectFactory(owner=user), 20), born(ProjectFactory(owner=user), 10)
    assert ids(user_api.get(PROJECTS)) == [newer.pk, older.pk]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"sort": "genre"}, "sort"),
        ({"sort": "title; DROP TABLE projects_project"}, "sort"),
        ({"order": "up"}, "order"),
        ({"page": "0"}, "page"),
        ({"page": "one"}, "page"),
        ({"limit": "101"}, "limit"),
        ({"limit": "0"}, "limit"),
    ],
)
def test_bad_list_parameters_are_validation_errors(user_api, query, field):
    body = assert_error(user_api.get(PROJECTS, query), 400, "VALIDATION_ERROR")
    assert error_fields(body) == {field}


def test_the_list_pages_with_the_conventions_meta(user, user_api):
    projects = [born(ProjectFactory(owner=user), minutes) for minutes in (30, 20, 10)]
    first = user_api.get(PROJECTS, {"limit": 2})
    assert ids(first) == [projects[2].pk, projects[1].pk]
    assert first.json()["meta"] == {
        "page": 1,
        "limit": 2,
        "total": 3,
        "totalPages": 2,
        "hasMore": True,
    }
    second = user_api.get(PROJECTS, {"limit": 2, "page": 2})
    assert ids(second) == [projects[0].pk]
    assert second.json()["meta"]["hasMore"] is False


def test_the_list_counts_each_projects_jobs(user, user_api, submit):
    busy, idle = ProjectFactory(owner=user), ProjectFactory(owner=user)
    submit(user, project_id=busy.pk)
    submit(UserFactory(), project_id=busy.pk)  # a collaborator's job counts too
    submit(user)
    rows = {item["id"]: item for item in user_api.get(PROJECTS).json()["data"]}
    assert (rows[busy.pk]["jobCount"], rows[idle.pk]["jobCount"]) == (2, 0)


def test_the_other_apps_counts_come_from_their_registrations(user, user_api, monkeypatch):
    project = ProjectFactory(owner=user)
    monkeypatch.setattr(
        counts,
        "_counts",
        {
            "asset_count": lambda ids: {project.pk: 5},
            "clip_count": lambda ids: {project.pk: 2},
            "active_sessions_count": lambda ids: {project.pk: 1},
        },
    )
    data = user_api.get(PROJECTS).json()["data"][0]
    assert (data["assetCount"], data["mediaCount"], data["clipCount"]) == (5, 5, 2)
    assert data["activeSessionsCount"] == 1


@pytest.mark.parametrize("count", [5, 25])
def test_the_list_runs_the_same_number_of_queries_whatever_the_page_size(
    user, user_api, submit, django_assert_max_num_queries, count
):
    org = OrganizationFactory()
    Membership.objects.create(organization=org, user=user, role="member")
    for number in range(count):
        kind = number % 3
        owner = user if kind == 0 else UserFactory()
        project = ProjectFactory(owner=owner, organization=org if kind == 2 else None)
        if kind == 1:
            CollaboratorFactory(project=project, user=user)
        submit(owner, project_id=project.pk)
    # 5 of projects' own, and one per page for each registered count (assets, chat sessions).
    with django_assert_max_num_queries(7):
        response = user_api.get(PROJECTS, {"limit": 100})
    data = response.json()["data"]
    assert len(data) == count
    assert all(item["jobCount"] == 1 and item["owner"]["id"] for item in data)


# --- GET /projects/:id ------------------------------------------------------------------------


def test_the_detail_shows_collaborators_recent_jobs_clips_and_assets(user, user_api, submit):
    project = ProjectFactory(owner=user)
    friend = CollaboratorFactory(project=project, role="viewer")
    job = submit(user, project_id=project.pk)
    response = user_api.get(url(project))
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert data["id"] == project.pk and data["role"] == "owner"
    assert data["collaborators"] == [
        {
            "userId": friend.user.pk,
            "user": {
                "id": friend.user.pk,
                "username": friend.user.username,
                "displayName": friend.user.display_name,
                "avatarUrl": None,
            },
            "role": "viewer",
            "addedAt": data["collaborators"][0]["addedAt"],
        }
    ]
    assert [(j["id"], j["type"], j["status"]) for j in data["jobs"]] == [
        (job.pk, "test_steps", "queued")
    ]
    assert data["jobCount"] == 1
    for empty in ("clips", "assets", "media", "activeSessions", "pendingInvitations"):
        assert data[empty] == []


def test_the_detail_lists_what_the_other_apps_register(user, user_api, monkeypatch):
    project = ProjectFactory(owner=user)
    clip = {"id": "clp_1", "title": "Generated Clip", "duration": 15.5}
    monkeypatch.setattr(counts, "_items", {"clips": lambda p: [clip] if p == project else []})
    assert user_api.get(url(project)).json()["data"]["clips"] == [clip]


def test_the_detail_of_an_unknown_or_deleted_project_is_not_found(user, user_api):
    gone = ProjectFactory(owner=user)
    gone.mark_deleted()
    assert_error(user_api.get(url("prj_nothing")), 404, "NOT_FOUND")
    assert_error(user_api.get(url(gone)), 404, "NOT_FOUND")


# --- PUT /projects/:id ------------------------------------------------------------------------


def test_a_partial_update_changes_only_what_is_sent(user, user_api):
    project = ProjectFactory(owner=user, genre="Action", settings={"duration": 60})
    response = user_api.put(
        url(project),
        {
            "title": "Updated Movie Title",
            "description": "Updated description with more details",
            "status": "on-hold",
            "targetAudience": "PG-13",
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["message"] == "Project updated successfully"
    data = response.json()["data"]
    assert (data["title"], data["name"], data["status"]) == (
        "Updated Movie Title",
        "Updated Movie Title",
        "on-hold",
    )
    assert (data["genre"], data["targetAudience"], data["settings"]) == (
        "Action",
        "PG-13",
        {"duration": 60},
    )


def test_settings_updates_merge_and_null_removes_a_key(user, user_api):
    project = ProjectFactory(owner=user, settings={"resolution": "1920x1080", "frame_rate": 30})
    response = user_api.put(
        url(project), {"settings": {"duration": 90, "frameRate": None}}, format="json"
    )
    assert response.json()["data"]["settings"] == {"resolution": "1920x1080", "duration": 90}
    response = user_api.patch(
        url(project), {"projectSettings": {"qualityTier": "high"}}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["data"]["projectSettings"] == {
        "resolution": "1920x1080",
        "duration": 90,
        "qualityTier": "high",
    }


def test_a_storycore_client_renames_with_name(user, user_api):
    project = ProjectFactory(owner=user)
    response = user_api.put(url(project), {"name": "Updated Project Name"}, format="json")
    assert response.json()["data"]["title"] == "Updated Project Name"


def test_what_was_read_can_be_sent_back_unchanged(user, user_api):
    project = ProjectFactory(owner=user)
    read = user_api.get(url(project)).json()["data"]
    response = user_api.put(url(project), {**read, "description": "Changed"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["data"]["description"] == "Changed"


def test_a_client_cannot_delete_through_an_update_nor_set_counters(user, user_api):
    project = ProjectFactory(owner=user)
    body = assert_error(
        user_api.put(url(project), {"status": "DELETED"}, format="json"), 400, "VALIDATION_ERROR"
    )
    assert error_fields(body) == {"status"}
    response = user_api.put(
        url(project), {"jobCount": 4, "progress": {"percentage": 90}}, format="json"
    )
    assert response.status_code == 200
    project.refresh_from_db()
    assert (project.status, project.progress_percentage) == ("created", 0)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"episodeCount": 0}, "episodeCount"),
        ({"episodeCount": 51}, "episodeCount"),
        ({"title": ""}, "title"),
        ({"settings": {"aspectRatio": "2:1"}}, "settings.aspectRatio"),
        ({"owner": "usr_x", "colour": "red"}, "colour"),
    ],
)
def test_bad_update_input_is_refused_and_changes_nothing(user, user_api, body, field):
    project = ProjectFactory(owner=user, episode_count=3)
    response = user_api.put(url(project), body, format="json")
    assert field in error_fields(assert_error(response, 400, "VALIDATION_ERROR"))
    project.refresh_from_db()
    assert (project.episode_count, project.settings) == (3, {})


def test_renaming_to_another_of_my_titles_is_a_conflict(user, user_api):
    ProjectFactory(owner=user, title="Taken")
    project = ProjectFactory(owner=user, title="Mine")
    assert_error(user_api.put(url(project), {"title": "TAKEN"}, format="json"), 409, "CONFLICT")
    assert user_api.put(url(project), {"title": "MINE"}, format="json").status_code == 200


def test_a_collaborators_rename_is_checked_against_the_owners_titles(user, client_for):
    project = ProjectFactory(owner=user, title="One")
    ProjectFactory(owner=user, title="Two")
    collaborator = CollaboratorFactory(project=project).user
    response = client_for(collaborator).put(url(project), {"title": "two"}, format="json")
    assert_error(response, 409, "CONFLICT")


def test_the_owner_moves_a_project_into_and_out_of_an_organization(user, user_api):
    org = OrganizationFactory()
    Membership.objects.create(organization=org, user=user, role="admin")
    project = ProjectFactory(owner=user)
    moved = user_api.put(url(project), {"organizationId": org.pk}, format="json")
    assert moved.json()["data"]["organizationId"] == org.pk
    out = user_api.put(url(project), {"organizationId": None}, format="json")
    assert out.json()["data"]["organization"] is None


def test_only_the_owner_moves_a_project_between_organizations(client_for):
    project = ProjectFactory()
    org = OrganizationFactory()
    collaborator = CollaboratorFactory(project=project).user
    Membership.objects.create(organization=org, user=collaborator, role="admin")
    response = client_for(collaborator).put(url(project), {"organizationId": org.pk}, format="json")
    assert_error(response, 403, "FORBIDDEN")
    assert Project.objects.get(pk=project.pk).organization is None


# --- usage counters -----------------------------------------------------------------------------


def test_the_profile_and_organizations_count_live_projects(user, user_api):
    org = OrganizationFactory(created_by=user)
    Membership.objects.create(organization=org, user=user, role="admin")
    ProjectFactory(owner=user, organization=org)
    ProjectFactory(owner=user)
    ProjectFactory(owner=user).mark_deleted()
    assert user_api.get("/api/v1/auth/me").json()["data"]["usage"]["projectsCreated"] == 2
    orgs = user_api.get("/api/v1/users/organizations").json()["data"]
    assert orgs[0]["projectCount"] == 1


# --- concurrency --------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_creates_racing_for_the_last_free_project_do_not_both_pass(monkeypatch):
    user = UserFactory()
    ProjectFactory(owner=user)
    ProjectFactory(owner=user)
    checked = services._check_title_free

    def slow_check(*args, **kwargs):
        time.sleep(0.3)  # widen the window between counting and inserting
        return checked(*args, **kwargs)

    monkeypatch.setattr(services, "_check_title_free", slow_check)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def create(title: str) -> None:
        barrier.wait()
        try:
            services.project_create(owner=user, fields={"title": title})
            outcomes.append("created")
        except SubscriptionLimit:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(title,)) for title in ("A", "B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["created", "refused"]
    assert Project.objects.filter(owner=user).count() == 3
