"""Genre vocabulary for the rule writer: where a story happens, what happens in it, how it ends.

Every list is ordered from the most typical choice to the least, so a low temperature keeps to
the head of the list and a high one reaches further down. Slots in braces are filled by the
writer: {hero}/{Hero} (the protagonist, capitalised at a sentence start), {their}, {they},
{They}, {them}, {were} (was/were to agree with {they}).
"""

from __future__ import annotations

GenreWords = dict[str, tuple[str, ...]]

GENRE_WORDS: dict[str, GenreWords] = {
    "scifi": {
        "setting": (
            "aboard a research station at the edge of the solar system",
            "aboard an orbital station above a frozen moon",
            "on a deep-space relay station far beyond Neptune",
        ),
        "hero": ("a maintenance robot", "a young systems engineer", "a ship's navigator"),
        "routine": (
            "running diagnostics that nobody ever read",
            "sorting signals from the deep-space relays",
            "keeping the recycling plant in order",
        ),
        "atmosphere": (
            "The air smelled of ozone and warm circuitry, and the corridors hummed day and night.",
            "Outside the viewports the stars hung motionless, too far away to care.",
            "Every surface glowed with status lights, green and patient.",
        ),
        "time": ("night cycle", "shift change", "morning"),
        "incident": (
            "a signal arrived that no instrument could explain",
            "a message appeared on a screen that should have been dark",
            "the station's oldest machine switched itself back on",
        ),
        "obstacle": (
            "The data refused to fit any model {hero} knew, and every simulation ended in error.",
            "The station's governing AI logged each attempt and flagged it as a malfunction.",
            "Nothing {hero} had trained for had prepared {them} for questions without answers.",
        ),
        "turn": (
            "{hero} found a fragment of code that nobody had written",
            "the lights failed and the whole station fell silent",
            "the signal began to answer back",
        ),
        "dialogue": (
            "This was never in my instructions.",
            "If this is an error, it is the best one I have ever made.",
            "Run it again. I need to be sure.",
        ),
        "realisation": (
            "that logic had only ever been half of the answer",
            "that the silence between the stars was not empty",
            "that {they} had been changing all along",
        ),
        "closing": (
            "Far beyond the viewports, the stars kept their slow, bright watch.",
            "Somewhere in the station a single status light turned from red to green.",
            "The station hummed on, and for once the sound felt like company.",
        ),
        "image": (
            "the cold stars turning overhead",
            "a blue light pulsing in the dark",
            "the long hum of a sleeping ship",
        ),
        "adjective": ("distant", "electric", "silent"),
    },
    "fantasy": {
        "setting": (
            "in a kingdom where the rivers ran silver under the moon",
            "at the edge of an ancient forest",
            "in a mountain village that appeared on no map",
        ),
        "hero": ("a young apprentice", "an old cartographer", "a wandering knight"),
        "routine": (
            "tending the lanterns along the old road",
            "copying spells into a book no one consulted",
            "guarding a bridge that nobody crossed",
        ),
        "atmosphere": (
            "Mist curled between the trees, and the old stones seemed to listen.",
            "The wind carried the smell of pine smoke and something older than memory.",
            "At dusk the towers glowed like embers against the violet sky.",
        ),
        "time": ("evening", "winter morning", "moonless night"),
        "incident": (
            "a raven arrived with a letter sealed in black wax",
            "the ancient door beneath the hill swung open",
            "a stranger in a grey cloak asked for shelter",
        ),
        "obstacle": (
            "The old spells answered in riddles, and every road twisted back on itself.",
            "The elders warned {hero} that such things were not meant for {them}.",
            "Each step into the forest made the path behind {them} vanish.",
        ),
        "turn": (
            "the dragon that everyone feared spoke {their} name",
            "{hero} found the map drawn in {their} own hand",
            "the moon turned red over the sleeping kingdom",
        ),
        "dialogue": (
            "Magic has a price. I will pay it.",
            "The stories were true. All of them.",
            "If the door is open, someone opened it.",
        ),
        "realisation": (
            "that the magic had been waiting for {them} all along",
            "that courage was a choice made one step at a time",
            "that every legend starts with someone ordinary",
        ),
        "closing": (
            "Above the forest, the first stars came out one by one.",
            "The lanterns along the old road burned a little brighter that night.",
            "And the old stones, which had seen everything, kept the secret.",
        ),
        "image": ("a lantern swinging in the mist", "silver rivers under the moon", "old stones"),
        "adjective": ("enchanted", "ancient", "moonlit"),
    },
    "horror": {
        "setting": (
            "in a farmhouse at the end of a long dirt road",
            "in an old house on the edge of a seaside town",
            "in a crumbling manor deep in the woods",
        ),
        "hero": ("a night watchman", "a young nurse", "a grieving father"),
        "routine": (
            "locking every door twice before dark",
            "walking the empty corridors after midnight",
            "ignoring the sounds the house made at night",
        ),
        "atmosphere": (
            "The floorboards groaned even when no one walked on them.",
            "A cold draught moved through rooms whose windows were sealed.",
            "The silence had a weight to it, as if something were holding its breath.",
        ),
        "time": ("night", "stormy evening", "winter night"),
        "incident": (
            "someone knocked on the door from inside the cellar",
            "the old radio began to whisper names",
            "a child's drawing appeared on the kitchen table",
        ),
        "obstacle": (
            "Every light {hero} switched on flickered and died.",
            "The phone line carried nothing but slow, patient breathing.",
            "The doors {they} had locked were open again by morning.",
        ),
        "turn": (
            "{hero} saw {their} own face in the window, smiling",
            "the whispering stopped all at once",
            "the cellar door stood open and the stairs went down further than they should",
        ),
        "dialogue": (
            "Who's there? I know someone is there.",
            "Don't open it. Whatever you do, don't open it.",
            "It knows my name.",
        ),
        "realisation": (
            "that the house had never been empty",
            "that some doors are closed for a reason",
            "that fear was the only thing keeping {them} alive",
        ),
        "closing": (
            "Behind {them}, very softly, a door clicked shut.",
            "In the morning the house looked ordinary again, and that was the worst of it.",
            "The wind died, and the dark settled back into its corners to wait.",
        ),
        "image": ("a door left open in the dark", "the slow creak of a stair", "a cold window"),
        "adjective": ("hollow", "silent", "shadowed"),
    },
    "mystery": {
        "setting": (
            "in a rain-soaked harbour town",
            "in a quiet cathedral town",
            "in a fog-bound mountain town",
        ),
        "hero": ("a retired detective", "a curious librarian", "a young reporter"),
        "routine": (
            "noticing the small things other people missed",
            "filing reports that no one asked to read",
            "keeping a notebook of unanswered questions",
        ),
        "atmosphere": (
            "Rain ran down the windows, and the streetlights blurred into gold.",
            "Every face in the room seemed to be hiding something.",
            "The clock on the wall ticked a little too loudly.",
        ),
        "time": ("evening", "grey morning", "night"),
        "incident": (
            "a letter arrived with no name and a single key inside",
            "a valuable painting vanished from a locked room",
            "a stranger left a coded note on the counter",
        ),
        "obstacle": (
            "Every witness told a different story, and every story had a gap.",
            "The clues pointed in three directions at once.",
            "Someone was always one step ahead of {hero}.",
        ),
        "turn": (
            "{hero} noticed that the clock had been stopped at the same hour every night",
            "the key finally fitted a lock",
            "an old photograph showed a face that should not have been there",
        ),
        "dialogue": (
            "Nobody locks a door from the inside and then disappears.",
            "The answer was in front of us the whole time.",
            "Tell me again. Slowly, this time.",
        ),
        "realisation": (
            "that the answer had been hidden in plain sight",
            "that the smallest detail mattered most",
            "that the truth was simpler, and sadder, than anyone had guessed",
        ),
        "closing": (
            "Outside, the rain finally stopped, and the town slept on.",
            "{hero} closed the notebook, and for the first time in weeks it felt complete.",
            "The clock on the wall began to tick again.",
        ),
        "image": ("rain on a dark window", "a key without a lock", "a clock that has stopped"),
        "adjective": ("hidden", "quiet", "rain-dark"),
    },
    "romance": {
        "setting": (
            "in a small town by the sea",
            "in a busy city café on a rainy corner",
            "in a village of vineyards and narrow lanes",
        ),
        "hero": ("a young florist", "a travelling musician", "a shy bookseller"),
        "routine": (
            "opening the shop before the rest of the street woke up",
            "playing the same three songs for strangers",
            "writing letters that never got sent",
        ),
        "atmosphere": (
            "The air smelled of coffee and rain, and the light was soft and golden.",
            "Music drifted from an open window somewhere down the street.",
            "The evenings were long and warm, and the sea glittered under them.",
        ),
        "time": ("spring morning", "summer evening", "rainy afternoon"),
        "incident": (
            "a stranger walked in and asked a question no one had asked before",
            "two umbrellas collided on a crowded corner",
            "an old letter turned up in a second-hand book",
        ),
        "obstacle": (
            "Old fears made {hero} hesitate every time the moment came.",
            "Their timing was always wrong, by a day or by a heartbeat.",
            "Pride kept {hero} from saying the one thing that mattered.",
        ),
        "turn": (
            "the rain caught them both under the same awning",
            "{hero} finally read the letter out loud",
            "the last train left without {them}, and {they} did not mind",
        ),
        "dialogue": (
            "I kept hoping you would come back.",
            "Stay. Just for tonight, stay.",
            "I think I have been waiting for you for a long time.",
        ),
        "realisation": (
            "that love had been there, patient, all along",
            "that some risks are worth every fear",
            "that home could be a person rather than a place",
        ),
        "closing": (
            "Outside, the rain softened into a gentle, silver hush.",
            "The sea kept glittering, as if it had known all along.",
            "And the shop on the corner kept its light on a little later than before.",
        ),
        "image": ("rain on a café window", "a letter kept for years", "the sea at dusk"),
        "adjective": ("tender", "golden", "gentle"),
    },
    "comedy": {
        "setting": (
            "in a town famous for absolutely nothing",
            "in a sleepy town where the mayor took garden gnomes seriously",
            "in a seaside town preparing for its annual festival",
        ),
        "hero": ("an overconfident chef", "a nervous substitute teacher", "a very tired dog"),
        "routine": (
            "pretending to be busy whenever the manager walked by",
            "losing the car keys at least twice a day",
            "rehearsing speeches for situations that never happened",
        ),
        "atmosphere": (
            "Everything that could go slightly wrong usually did, and on schedule.",
            "The coffee machine wheezed like an old accordion.",
            "The neighbours had strong feelings about garden gnomes.",
        ),
        "time": ("Monday morning", "afternoon", "birthday"),
        "incident": (
            "a goat wandered into the town hall and refused to leave",
            "a misdelivered parcel turned out to contain three hundred rubber ducks",
            "the wrong name appeared on the wrong invitation",
        ),
        "obstacle": (
            "Every plan {hero} made was worse than the problem it was meant to solve.",
            "Explaining the situation only made it sound stranger.",
            "The goat, for its part, had its own plans.",
        ),
        "turn": (
            "the mayor arrived early, wearing the wrong costume",
            "{hero} slipped on a rubber duck in front of everyone",
            "the misunderstanding turned out to be exactly what everyone needed",
        ),
        "dialogue": (
            "I can explain. I can't, actually, but I'd like to try.",
            "That is not what it looks like. It is worse.",
            "Nobody panic. I am panicking enough for all of us.",
        ),
        "realisation": (
            "that perfect plans were overrated",
            "that laughing at yourself was the quickest way out of trouble",
            "that chaos, handled kindly, could look a lot like a party",
        ),
        "closing": (
            "Somewhere in the crowd, the goat looked very pleased with itself.",
            "Everyone agreed it was the best disaster the town had ever had.",
            "And the rubber ducks, lined up on the windowsill, seemed to agree.",
        ),
        "image": ("a parade of rubber ducks", "a goat in a town hall", "coffee gone cold"),
        "adjective": ("ridiculous", "cheerful", "chaotic"),
    },
    "thriller": {
        "setting": (
            "in a city that never switched off its lights",
            "in a border town full of people with something to hide",
            "at a conference hotel locked down by the police",
        ),
        "hero": ("a burned-out analyst", "a courier with a perfect memory", "an ex-agent"),
        "routine": (
            "living by rules that kept {them} invisible",
            "delivering envelopes without asking what was inside",
            "checking every room for the nearest exit",
        ),
        "atmosphere": (
            "Sirens rose and fell somewhere across the river.",
            "Every camera on every corner felt like an eye.",
            "The night was too quiet, the kind of quiet that meant someone was waiting.",
        ),
        "time": ("night", "rush hour", "early morning"),
        "incident": (
            "a stranger pressed a drive into {their} hand and vanished into the crowd",
            "{their} own name appeared on a list that should not exist",
            "the phone rang with a voice {they} had buried years ago",
        ),
        "obstacle": (
            "Every ally {hero} called was already compromised.",
            "The clock was running, and each minute closed another door.",
            "The people hunting {them} knew every move before {they} made it.",
        ),
        "turn": (
            "{hero} realised the trap had been built for someone else",
            "the drive finally opened and showed a single photograph",
            "the hunter stepped out of the shadows and lowered the gun",
        ),
        "dialogue": (
            "We have ten minutes. Maybe less.",
            "Trust no one. Not even me.",
            "They knew we were coming. Someone told them.",
        ),
        "realisation": (
            "that the real danger had been close all along",
            "that running was no longer an option",
            "that the truth was the only weapon left",
        ),
        "closing": (
            "Across the river, the sirens finally faded into the dawn.",
            "The city's lights blinked out one by one as morning came.",
            "{hero} walked into the crowd and, for once, did not look back.",
        ),
        "image": ("sirens across the river", "a shadow in a doorway", "a phone that will not stop"),
        "adjective": ("relentless", "sharp", "restless"),
    },
    "adventure": {
        "setting": (
            "on the windswept coast of a forgotten island",
            "high in the mountains where the old trade road ended",
            "on a river steamer heading deep into the jungle",
        ),
        "hero": ("a young explorer", "a stubborn ship's cook", "a mapmaker's daughter"),
        "routine": (
            "dreaming over maps of places no one had reached",
            "mending sails and listening to sailors' stories",
            "counting the days until the next expedition",
        ),
        "atmosphere": (
            "The wind tasted of salt, and the horizon seemed to call out.",
            "Parrots shrieked in the trees, and the river ran brown and fast.",
            "Snow glittered on the peaks like a promise.",
        ),
        "time": ("morning", "stormy afternoon", "dawn"),
        "incident": (
            "a torn page from an old logbook washed up on the shore",
            "the expedition's guide vanished in the night, leaving only a compass",
            "a storm drove the ship onto an uncharted reef",
        ),
        "obstacle": (
            "The river grew wilder with every bend, and the supplies ran low.",
            "The map was wrong in all the places that mattered.",
            "Rival explorers were never more than a day behind.",
        ),
        "turn": (
            "the clouds parted over a valley no map had ever shown",
            "{hero} found the compass pointing somewhere other than north",
            "the rope bridge gave way, and only {hero} was left on the far side",
        ),
        "dialogue": (
            "There. Do you see it? We made it.",
            "No one turns back now. Not after everything.",
            "The map was never wrong. We were reading it upside down.",
        ),
        "realisation": (
            "that the journey had mattered more than the treasure",
            "that courage grew with every step into the unknown",
            "that the edge of the map was only the beginning",
        ),
        "closing": (
            "The sun rose over the valley, and the whole world seemed new.",
            "The ship turned for home, its sails full of the evening wind.",
            "Far below, the river kept running toward the sea.",
        ),
        "image": ("a compass on a windy shore", "the edge of the map", "sails in the wind"),
        "adjective": ("wild", "uncharted", "bright"),
    },
    "documentary": {
        "setting": (
            "in a small coastal community",
            "in the heart of a changing city",
            "across a valley shaped by the seasons",
        ),
        "hero": ("a local fisherman", "a team of volunteers", "a wildlife ranger"),
        "routine": (
            "following routines shaped by generations of habit",
            "rising before dawn to begin the day's work",
            "recording the smallest changes in the landscape",
        ),
        "atmosphere": (
            "Change here happens slowly, and then all at once.",
            "The landscape tells its own story to anyone willing to look.",
            "Every season leaves its mark on the land and the people.",
        ),
        "time": ("season", "morning", "year"),
        "incident": (
            "an unusual event changed the rhythm of daily life",
            "new research raised questions no one had thought to ask",
            "a storm reshaped the coastline overnight",
        ),
        "obstacle": (
            "Resources were limited, and the work was slow and uncertain.",
            "Old habits and new realities pulled in different directions.",
            "Not everyone agreed on what should be done.",
        ),
        "turn": (
            "the community came together to find a new way forward",
            "the data revealed a pattern that surprised even the experts",
            "a small experiment produced an unexpected result",
        ),
        "dialogue": (
            "We have always done it this way, but that may have to change.",
            "You learn to listen to the land.",
            "Every year tells us something new.",
        ),
        "realisation": (
            "that small changes, repeated, add up to a great deal",
            "that the future depends on choices made today",
            "that knowledge grows fastest when it is shared",
        ),
        "closing": (
            "The story is far from over, and the next chapter is already being written.",
            "As the seasons turn, the work goes on.",
            "The light fades over the valley, and tomorrow the work begins again.",
        ),
        "image": ("the turning of the seasons", "hands at work", "the light over the valley"),
        "adjective": ("changing", "patient", "living"),
    },
    "drama": {
        "setting": (
            "in a quiet town where everyone knew everyone",
            "in a crowded apartment above a corner shop",
            "in a family house full of old photographs",
        ),
        "hero": ("a young teacher", "an ageing musician", "a woman returning home"),
        "routine": (
            "keeping the peace between people who rarely spoke",
            "working long hours and saying little about it",
            "holding the family together one small task at a time",
        ),
        "atmosphere": (
            "The days passed quietly, one much like the next.",
            "The house held its memories the way old wood holds the smell of smoke.",
            "Outside, the street went on with its ordinary business.",
        ),
        "time": ("evening", "Sunday morning", "autumn afternoon"),
        "incident": (
            "a letter arrived that changed everything",
            "an old friend knocked on the door after twenty years",
            "a phone call came in the middle of the night",
        ),
        "obstacle": (
            "Old resentments surfaced with every conversation.",
            "Pride and fear made every honest word hard to say.",
            "The people {hero} loved most understood {them} least.",
        ),
        "turn": (
            "{hero} finally said aloud what no one had dared to say",
            "an old photograph told a story nobody had known",
            "the argument ended in a silence that changed everything",
        ),
        "dialogue": (
            "I should have told you a long time ago.",
            "We don't have to pretend anymore.",
            "I'm still here. I was always here.",
        ),
        "realisation": (
            "that forgiveness was a beginning rather than an ending",
            "that the past could be carried without being obeyed",
            "that home was something people made together",
        ),
        "closing": (
            "Outside, the evening settled over the town like a promise.",
            "For the first time in years, the house felt warm.",
            "The street went on with its ordinary business, and that was enough.",
        ),
        "image": ("an old photograph", "a window left open to the evening", "a kitchen light"),
        "adjective": ("quiet", "tender", "unspoken"),
    },
}

# Free-form genre words (StoryCore's "science fiction", StoryForge's "space opera / mystery",
# the film job's "cinematic") mapped to the genres above; the first match wins.
GENRE_ALIASES: tuple[tuple[str, str], ...] = (
    ("sci", "scifi"),
    ("space", "scifi"),
    ("cyber", "scifi"),
    ("future", "scifi"),
    ("fantas", "fantasy"),
    ("fairy", "fantasy"),
    ("myth", "fantasy"),
    ("magic", "fantasy"),
    ("horror", "horror"),
    ("ghost", "horror"),
    ("gothic", "horror"),
    ("myster", "mystery"),
    ("detective", "mystery"),
    ("crime", "mystery"),
    ("noir", "mystery"),
    ("roman", "romance"),
    ("love", "romance"),
    ("comed", "comedy"),
    ("humo", "comedy"),
    ("funny", "comedy"),
    ("thrill", "thriller"),
    ("spy", "thriller"),
    ("action", "thriller"),
    ("suspense", "thriller"),
    ("advent", "adventure"),
    ("quest", "adventure"),
    ("document", "documentary"),
    ("nature", "documentary"),
    ("drama", "drama"),
)

# Words in a prompt that suggest a genre when the context names none.
PROMPT_GENRE_HINTS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("robot", "android", "spaceship", "starship", "alien", "planet", "galaxy", "ai "), "scifi"),
    (("dragon", "wizard", "witch", "magic", "kingdom", "elf", "sorcer", "knight"), "fantasy"),
    (("ghost", "haunted", "monster", "vampire", "zombie", "demon", "curse"), "horror"),
    (("detective", "murder", "clue", "disappear", "stolen", "secret"), "mystery"),
    (("love", "romance", "wedding", "sweetheart"), "romance"),
    (("spy", "heist", "assassin", "chase", "conspiracy"), "thriller"),
    (("explorer", "treasure", "journey", "island", "expedition", "voyage"), "adventure"),
    (("funny", "silly", "hilarious", "goat", "clown"), "comedy"),
)


def canonical_genre(genre: str | None, prompt: str = "") -> str:
    """One of GENRE_WORDS' keys for a free-form genre, else guessed from the prompt."""
    words = (genre or "").lower()
    if words in GENRE_WORDS:
        return words
    for fragment, name in GENRE_ALIASES:
        if fragment in words:
            return name
    text = f" {prompt.lower()} "
    for hints, name in PROMPT_GENRE_HINTS:
        if any(hint in text for hint in hints):
            return name
    return "drama"
