"""Story text for the analysis tests: the document's examples and ordinary continuations."""
# Typographic quotes and dashes are what prose is written with.

from __future__ import annotations

# StoryForge's POST /scenes example and its idea (GET /ideas).
DOC_SCRIPT = (
    "Captain Maya Chen stared at the flickering display. After 500 years of silence, the colony "
    "ship Aurora had finally sent a message. But the coordinates didn't match any known "
    "location..."
)
DOC_IDEA = (
    "In the year 3042, humanity's last starship discovers a signal from Earth's original "
    "colony ship..."
)
DOC_TITLE = "The Signal - Chapter One"
# POST /scenes/:id/continue's example.
DOC_CONTINUATION = (
    "Maya's hand trembled as she decoded the message. The Aurora wasn't asking for help—it was "
    "sending a warning. 'Do not come home,' it read. 'Earth is no longer Earth.'"
)

# A richer opening: the crew of the Horizon, a world rule, the signal.
CREW_SCRIPT = (
    "Captain Maya Chen stood on the bridge of the Horizon, watching the stars crawl past the "
    "viewscreen. Her first officer, Kai Okonkwo, leaned over the navigation console. FTL "
    "travel takes months. The crew had been awake for three weeks. After 500 years of "
    "silence, the colony ship Aurora had finally sent a message. But the coordinates didn't "
    "match any known location..."
)

# Continuations a writer might send: dialogue, new people introduced naturally, the same
# people by other names and pronouns, time passing with its markers. None is an error.
ORDINARY = [
    "Kai shook his head. 'Those coordinates put the Aurora beyond anything we've charted,' he "
    "said. Maya studied the star chart in silence.",
    "'Run the decryption again,' Captain Chen ordered. The engineer on duty, a quiet woman "
    "named Lena Ortiz, nodded and bent over her console.",
    "Lena worked through the whole shift. When she finally looked up, her eyes were red. "
    "'It's layered,' she told Maya. 'Someone wanted this message to survive.'",
    "Maya called the senior crew to the briefing room. Dr. Amara Singh, the ship's doctor, "
    "arrived last, still wearing her lab coat.",
    "'We don't know what's waiting out there,' Amara said. 'Half the crew hasn't slept in "
    "days.' Kai crossed his arms but said nothing.",
    "Maya looked from one face to the other. She knew they were right, and she knew it didn't "
    "matter. 'We go,' she said quietly.",
    "The Horizon shuddered as its engines came up to full power. In the engine room, Chief "
    "Engineer Tomas Reyes swore at a flickering gauge and slapped it until the needle settled.",
    "Hours later, Kai found Maya alone in the observation lounge. He handed her a cup of "
    "coffee. 'You should rest,' he said. She smiled faintly but didn't move.",
    "The message played again on the lounge screen, the same seven words in the same flat "
    "voice. Maya had listened to it a hundred times, and it still made the hair on her arms "
    "rise.",
    "Reyes called up from engineering. 'The drive's holding,' he reported, 'but she won't "
    "like being pushed this hard for months.' Maya thanked him and closed the channel.",
    "On the third day, Lena burst onto the bridge with a tablet in her hands. 'I found a "
    "second layer,' she said breathlessly. 'It's a map.'",
    "The map showed a route through the Kessler Nebula that no chart had ever recorded. Kai "
    "traced it with one finger, frowning. 'Whoever made this knew the Aurora would need a way "
    "home,' he murmured.",
    "Maya stood at the viewscreen for a long time. Somewhere out there, the Aurora was "
    "waiting, and so were the answers she had chased for most of her life.",
    "That night, Amara checked on Lena in the medical bay. The young engineer was asleep at "
    "her desk, surrounded by printouts. Amara draped a blanket over her shoulders and dimmed "
    "the lights.",
    "By morning the Horizon had changed course. The crew moved through the corridors with a "
    "new sense of purpose, and even Reyes was whistling as he worked.",
    "Kai brought the latest sensor sweep to the captain's chair. 'Nothing yet,' he said. 'But "
    "the nebula's edge is starting to show on long-range scans.' Maya nodded. 'Keep "
    "watching,' she told him.",
    "Maya's old friend from the academy, Commander Elena Voss, sent a short message from "
    "Earth wishing them luck. Maya read it twice before she deleted it.",
    "Okonkwo ran the numbers twice. Singh and Reyes argued over the medical supplies while "
    "Lena quietly recalibrated the sensors.",
    "First Officer Okonkwo logged the course change. The captain signed it without a word, "
    "then turned back to the stars.",
    "Three days later, the Horizon reached the edge of the Kessler Nebula. Violet light "
    "washed over the bridge as Maya gave the order to slow down.",
]
