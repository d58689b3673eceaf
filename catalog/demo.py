"""The demo catalog `make run` loads: curated topics, their categories and a few ideas.

Ids are readable (`top_scifi`, `cat_space`), as in the StoryForge document's examples, so that
those examples work against a fresh install. Loading is idempotent: it creates only what is
missing and never overwrites what a moderator has since changed in the admin.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q

from accounts.models import User
from catalog.models import Category, Idea, IdeaTag, Topic, TopicStatus
from moderation.choices import ModerationStatus

DEMO_AUTHOR_EMAIL = "demo-author@storyforge.invalid"
DEMO_AUTHOR_USERNAME = "storyforge"

# (id, name, slug, description, [(category id, name, slug, description)])
TOPICS: list[tuple[str, str, str, str, list[tuple[str, str, str, str]]]] = [
    (
        "top_scifi",
        "Science Fiction",
        "science-fiction",
        "Stories set in futuristic or space settings",
        [
            ("cat_space", "Space Opera", "space-opera", "Epic adventures across galaxies"),
            ("cat_cyber", "Cyberpunk", "cyberpunk", "High tech, low life"),
            ("cat_firstcontact", "First Contact", "first-contact", "Meeting the other"),
        ],
    ),
    (
        "top_fantasy",
        "Fantasy",
        "fantasy",
        "Magic, mythical creatures, and epic quests",
        [
            ("cat_epic", "Epic Fantasy", "epic-fantasy", "Kingdoms, prophecies and long roads"),
            ("cat_urbanfantasy", "Urban Fantasy", "urban-fantasy", "Magic in modern cities"),
            ("cat_fairytale", "Fairy Tales", "fairy-tales", "Old stories, told anew"),
        ],
    ),
    (
        "top_mystery",
        "Mystery",
        "mystery",
        "Puzzles, detectives and secrets waiting to be uncovered",
        [
            ("cat_detective", "Detective", "detective", "A sleuth, a crime, a solution"),
            ("cat_noir", "Noir", "noir", "Rain, shadows and moral grey"),
            ("cat_cozy", "Cozy Mystery", "cozy-mystery", "Small towns, big secrets"),
        ],
    ),
    (
        "top_horror",
        "Horror",
        "horror",
        "Fear, dread and the things that go bump in the night",
        [
            ("cat_gothic", "Gothic", "gothic", "Old houses and older curses"),
            ("cat_cosmic", "Cosmic Horror", "cosmic-horror", "The unknowable vastness"),
        ],
    ),
    (
        "top_romance",
        "Romance",
        "romance",
        "Love stories in every setting and era",
        [
            ("cat_historicalromance", "Historical Romance", "historical-romance", "Love in past"),
            ("cat_romcom", "Romantic Comedy", "romantic-comedy", "Meet-cutes and mix-ups"),
        ],
    ),
    (
        "top_adventure",
        "Adventure",
        "adventure",
        "Journeys, treasure hunts and daring escapes",
        [
            ("cat_treasure", "Treasure Hunt", "treasure-hunt", "Maps with an X on them"),
            ("cat_survival", "Survival", "survival", "Against the odds and the elements"),
        ],
    ),
    (
        "top_thriller",
        "Thriller",
        "thriller",
        "High stakes, tension and twists",
        [
            ("cat_spy", "Espionage", "espionage", "Spies, codes and double agents"),
            ("cat_heist", "Heist", "heist", "One last job"),
        ],
    ),
    (
        "top_historical",
        "Historical Fiction",
        "historical-fiction",
        "Stories in the past, true to their time",
        [
            ("cat_ancient", "Ancient World", "ancient-world", "Empires of bronze and marble"),
            ("cat_wartime", "Wartime", "wartime", "Lives caught up in war"),
        ],
    ),
    (
        "top_comedy",
        "Comedy",
        "comedy",
        "Stories that set out to make you laugh",
        [
            ("cat_satire", "Satire", "satire", "Laughing at the powerful"),
            ("cat_slapstick", "Slapstick", "slapstick", "Pratfalls and pies"),
        ],
    ),
    (
        "top_solarpunk",
        "Solarpunk",
        "solarpunk",
        "Optimistic eco-futurism with sustainable technology",
        [
            ("cat_ecocity", "Eco Cities", "eco-cities", "Green towers and shared gardens"),
        ],
    ),
]

# (id, title, prompt, topic id, category id, tags)
IDEAS: list[tuple[str, str, str, str, str, list[str]]] = [
    (
        "idea_last_starship",
        "The Last Starship",
        "In the year 3042, humanity's last starship discovers a signal from Earth's original "
        "colony ship, five hundred years after it fell silent.",
        "top_scifi",
        "cat_space",
        ["space", "mystery", "colony"],
    ),
    (
        "idea_memory_merchant",
        "The Memory Merchant",
        "In a world where memories can be bought and sold, a young woman discovers she "
        "possesses a memory that everyone wants, but she can't access it herself.",
        "top_scifi",
        "cat_cyber",
        ["memory", "noir", "mystery"],
    ),
    (
        "idea_cartographer",
        "The Cartographer's Daughter",
        "A mapmaker's daughter finds that the blank spaces on her late father's maps are "
        "places that only appear when no one is looking.",
        "top_fantasy",
        "cat_epic",
        ["maps", "quest", "magic"],
    ),
    (
        "idea_lighthouse",
        "The Lighthouse Keeper's Ledger",
        "A new keeper finds a ledger recording ships that have not yet wrecked, and the next "
        "entry is dated tomorrow.",
        "top_mystery",
        "cat_detective",
        ["sea", "prophecy", "mystery"],
    ),
    (
        "idea_rooftop_farm",
        "Rooftop Harvest",
        "Neighbours on the roofs of a drowned city race to grow enough food before the "
        "supply barges stop coming.",
        "top_solarpunk",
        "cat_ecocity",
        ["community", "climate", "hope"],
    ),
]


@dataclass(frozen=True)
class Loaded:
    """How many rows a load created (0 everywhere on a second run)."""

    topics: int
    categories: int
    ideas: int


def _demo_author() -> User:
    author = User.objects.filter(email=DEMO_AUTHOR_EMAIL).first()
    if author is not None:
        return author
    username, number = DEMO_AUTHOR_USERNAME, 1
    while User.objects.filter(username__iexact=username).exists():
        number += 1
        username = f"{DEMO_AUTHOR_USERNAME}{number}"
    # No password: the demo author cannot sign in; it only signs the demo ideas.
    return User.objects.create_user(
        DEMO_AUTHOR_EMAIL, None, username=username, display_name="StoryForge", is_active=False
    )


def _taken_by_another(topic_id: str, name: str, slug: str) -> bool:
    """Whether a topic users made since holds the demo topic's name or slug."""
    others = Topic.objects.exclude(pk=topic_id)
    return (
        others.filter(slug=slug).exists()
        or others.filter(name__iexact=name).exclude(status=TopicStatus.REJECTED).exists()
    )


@transaction.atomic
def load_demo_catalog() -> Loaded:
    """Create whatever of the demo catalog is missing (a demo topic whose name a user's topic
    took in the meantime is left out, with its categories and ideas)."""
    topics = categories = ideas = 0
    for position, (topic_id, name, slug, description, category_rows) in enumerate(TOPICS):
        topic = Topic.objects.filter(pk=topic_id).first()
        if topic is None:
            if _taken_by_another(topic_id, name, slug):
                continue
            topic = Topic.objects.create(
                pk=topic_id,
                name=name,
                slug=slug,
                description=description,
                is_curated=True,
                status=TopicStatus.APPROVED,
                moderation_status=ModerationStatus.APPROVED,
                position=position,
            )
            topics += 1
        for category_position, (cat_id, cat_name, cat_slug, cat_description) in enumerate(
            category_rows
        ):
            if Category.objects.filter(Q(pk=cat_id) | Q(topic=topic, slug=cat_slug)).exists():
                continue
            Category.objects.create(
                pk=cat_id,
                topic=topic,
                name=cat_name,
                slug=cat_slug,
                description=cat_description,
                position=category_position,
            )
            categories += 1
    author = _demo_author()
    for idea_id, title, prompt, topic_id, category_id, tags in IDEAS:
        if (
            Idea.objects.filter(pk=idea_id).exists()
            or not Topic.objects.filter(pk=topic_id).exists()
        ):
            continue
        idea = Idea.objects.create(
            pk=idea_id,
            title=title,
            prompt=prompt,
            topic_id=topic_id,
            category=Category.objects.filter(pk=category_id, topic_id=topic_id).first(),
            author=author,
            moderation_status=ModerationStatus.APPROVED,
        )
        IdeaTag.objects.bulk_create(
            IdeaTag(idea=idea, name=tag, position=index) for index, tag in enumerate(tags)
        )
        ideas += 1
    return Loaded(topics=topics, categories=categories, ideas=ideas)
