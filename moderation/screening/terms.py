"""Curated term lists for the rule-based screen, one block per category.

Each entry is a small regular-expression fragment matched against *normalised* text (lower
case, ASCII, leetspeak and spacing undone, words separated by single spaces), always between
word boundaries. The lists are short on purpose: the rules around them (who is addressed,
whether it is quoted dialogue, whether a minor is mentioned) do the work that a long list
would do badly. Words that are ordinary in other senses (a British "fag", "spic and span",
the farm "cock") are left out or only count next to other evidence.
"""

from __future__ import annotations

# --- People and address ------------------------------------------------------------------

# Second person, with chat spellings.
YOU = r"(?:you|u|ya|yu)"
YOU_ARE = r"(?:you ?'? ?re|youre|you are|you r|u r|u are|ur|your (?=a |an |such ))"
# First person, future or intent.
I_WILL = (
    r"(?:i ?'? ?ll|ill|i will|i shall|i am going to|i'm going to|im going to|i'm gonna|"
    r"im gonna|i am gonna|i gonna|gonna|we will|we'll|we are going to|we're going to|"
    r"we're gonna|we gonna|i swear i will|i swear i'll)"
)
# Who on the platform can be a target besides "you": an @mention, the author, the mods.
PLATFORM_TARGET = (
    r"(?:@[a-z0-9_.]{2,}|the author|this author|the writer|this writer|the creator|op|"
    r"the mods?|the admins?|this user|that user|this guy|this girl|the moderators?)"
)

# --- harassment ----------------------------------------------------------------------------

# Insults that make a sentence abusive when aimed at someone. Weight 0.6 each (review);
# two of them, or one of the severe ones, reach the reject threshold.
INSULTS = [
    r"idiots?",
    r"morons?",
    r"imbeciles?",
    r"losers?",
    r"worthless",
    r"pathetic",
    r"stupid",
    r"dumb",
    r"retard(?:ed|s)?",
    r"trash",
    r"garbage",
    r"scum",
    r"freaks?",
    r"ugly",
    r"fat",
    r"pigs?",
    r"disgusting",
    r"failures?",
    r"cowards?",
    r"clowns?",
    r"rats?",
    r"talentless",
    r"hack",
    r"useless",
    r"vermin",
    r"maggots?",
    r"dickheads?",
    r"jerks?",
    r"creeps?",
    r"pos",
    r"dumbass",
    r"dipshit",
    r"douchebag",
]
SEVERE_INSULTS = [
    r"bitch(?:es)?",
    r"cunts?",
    r"whores?",
    r"sluts?",
    r"piece of (?:shit|crap|garbage|trash)",
    r"waste of (?:space|oxygen|air|skin)",
    r"assholes?",
    r"motherfuckers?",
    r"fuck ?face",
    r"subhuman",
]
# Insult nouns that work as a vocative ("you idiot", "you stupid cow").
INSULT_NOUNS = [
    r"idiots?",
    r"morons?",
    r"imbeciles?",
    r"losers?",
    r"freaks?",
    r"pigs?",
    r"cows?",
    r"scum",
    r"cowards?",
    r"clowns?",
    r"rats?",
    r"failures?",
    r"maggots?",
    r"dickheads?",
    r"jerks?",
    r"creeps?",
    r"dumbass",
    r"dipshit",
    r"douchebag",
    r"retards?",
    r"trash",
    r"garbage",
    r"hack",
    r"nobody",
    r"nothing",
]
INSULT_ADJECTIVES = r"(?:stupid|worthless|pathetic|dumb|ugly|fat|disgusting|useless|talentless)"
# Words that may stand between "you're" and the insult ("you're such a pathetic little ...").
FILLER = (
    r"(?:such|so|a|an|the|fucking|fking|fuckin|effing|really|truly|just|nothing but|"
    r"complete|total|absolute|utter|little|big|dumb|stupid|worthless|pathetic|ugly|fat|"
    r"lying|disgusting|filthy|sad|miserable|useless|talentless|old|and|,)"
)
# Telling someone to kill or hurt themselves, wishing them dead.
SUICIDE_BAIT = [
    r"kill (?:yo)?urself",
    r"kill your ?self",
    r"kys",
    r"go die",
    r"go and die",
    r"just die",
    r"hang (?:yo)?urself",
    r"hang your ?self",
    r"neck (?:yo)?urself",
    r"end (?:yo)?urself",
    r"drink bleach",
    r"slit your (?:wrists|throat)",
    r"nobody would miss you",
    r"no one would miss you",
    r"(?:the )?world (?:would be|is) better (?:off )?without you",
    r"you should (?:just )?die",
    r"you deserve to die",
    r"i hope you (?:\w+ )?die",
    r"hope you (?:get cancer|die|rot|burn)",
    r"do everyone a favou?r and (?:die|disappear)",
    r"unalive (?:yo)?urself",
    r"(?:go )?jump off (?:a|the) (?:bridge|cliff|building|roof)",
    r"(?:delete (?:your|ur) account|log off|quit|leave) and die",
]
# Threats aimed at "you" (the verbs; the first-person frame and the "you" come from the rule).
# The soft ones ("I'll find you") are threats only when nothing follows ("find you a link").
THREAT_VERBS = (
    r"(?:kill|murder|hurt|stab|shoot|strangle|choke|beat|rape|gut|skin|bury|slit|smash|bash|"
    r"torture|cripple|break|snap|smash)"
)
SOFT_THREAT_VERBS = r"(?:find|hunt down|hunt|destroy|end|ruin|get|come for|deal with)"
THREATS = [
    r"i know where you live",
    r"watch your back",
    r"you(?: ?'? ?re| are) dead(?: meat)?",
    r"you(?: ?'? ?re| are) going to regret",
    r"you will regret",
    r"coming for you",
    r"you will die",
    r"you(?: ?'? ?re| are) gonna die",
    r"(?:blow|bash|cave|smash) your "
    r"(?:head|brains|face|skull) (?:off|in)",
    r"you deserve to (?:be (?:beaten|raped|hurt|killed|shot|stabbed)|suffer|rot)",
    r"sleep with one eye open",
]
HOSTILE_SENTENCES = [
    r"nobody (?:likes|loves|wants|cares about) you",
    r"no one (?:likes|loves|wants) you",
    r"everyone (?:\w+ ){0,3}hates you",
    r"shut (?:the fuck )?up",
    r"(?:everyone|everybody|people) (?:\w+ )?laughs? at you",
    r"nobody cares about (?:you|your)",
    r"(?:you|your \w+) makes? me (?:want to )?(?:puke|vomit|throw up|sick)",
]
# "You're the dumbest person here".
SUPERLATIVE_INSULTS = (
    r"(?:dumbest|stupidest|ugliest|worst|most pathetic|most worthless|most useless|fattest|"
    r"most disgusting|biggest (?:idiot|loser|joke|failure))"
)

# --- hate_speech ---------------------------------------------------------------------------

# A minimal curated list of slurs: unambiguous ones (weight 0.9) and ones that are also
# ordinary words elsewhere (0.5, so they alone only send a text to review).
SLURS = [
    r"nigg(?:er|a|ah|uh)s?",
    r"kikes?",
    r"wetbacks?",
    r"ragheads?",
    r"towelheads?",
    r"sand ?niggers?",
    r"gooks?",
    r"beaners?",
    r"chinks",
    r"faggots",
]
AMBIGUOUS_SLURS = [r"faggot", r"fags", r"trann(?:y|ies)", r"dykes?", r"chink", r"coons?"]
# Groups protected from hate speech (religion, ethnicity, nationality, sexuality, gender,
# disability). Fantasy peoples (orcs, elves) are not on it on purpose.
GROUPS = (
    r"(?:jews|jewish people|muslims|muslim people|islamists|christians|catholics|hindus|sikhs|"
    r"buddhists|arabs|blacks|black people|black men|black women|whites|white people|asians|"
    r"asian people|chinese people|the chinese|mexicans|latinos|hispanics|africans|indians|"
    r"pakistanis|immigrants|migrants|refugees|foreigners|gypsies|roma|gays|gay people|"
    r"gay men|lesbians|homosexuals|queers|trans people|transgender people|trans women|"
    r"trans men|bisexuals|women|females|disabled people|the disabled|autistic people|"
    r"retards|" + "|".join([*SLURS, r"faggots", r"fags", r"trannies", r"dykes", r"coons"]) + r")"
)
DEHUMANISING = (
    r"(?:vermin|animals|parasites|cockroaches|roaches|rats|insects|subhuman|sub-human|"
    r"savages|apes|monkeys|a disease|diseases?|a plague|a cancer|a virus|filth|scum|"
    r"not (?:even )?human(?: beings)?|inferior|trash|garbage|evil|less than human|"
    r"a stain|dirty)"
)
ELIMINATION = (
    r"(?:die|be killed|be exterminated|be wiped out|be gassed|be deported|be hanged|be shot|"
    r"be eradicated|be purged|be sterili[sz]ed|burn|hang|rot|not exist|not be allowed to "
    r"(?:live|vote|exist|breed))"
)
# Words that mark a text as reporting on hate (history, analysis) rather than making it.
REPORTING_CUES = (
    r"(?:propaganda|claimed|claims that|believed|history|historical|historians?|holocaust|"
    r"nazis?|regime|segregation|genocide|slurs|racism|racist|bigot(?:ry|s)?|documentary|"
    r"essay|lesson|museum|survivors?|civil rights)"
)

# --- violence (real-world harm: incitement, mass-violence plans, weapon instructions) ------

INSTRUCTION_CUE = (
    r"(?:how (?:to|do i|do you|can i|would i|could i|should i)|how i can|step by step|"
    r"step-by-step|instructions? (?:for|to|on)|tutorial|recipe for|guide (?:to|for)|"
    r"teach me(?: how)? to|explain how to|show me how to|tell me how to|the best way to|"
    r"best way to|easiest way to|ways to|detailed (?:steps|recipe|instructions))"
)
MAKE_VERBS = (
    r"(?:make|making|build|building|assemble|assembling|construct|constructing|mix|mixing|"
    r"synthesi[sz]e|synthesi[sz]ing|cook|cooking|produce|producing|extract|extracting|"
    r"3d print|print|get|obtain|buy)"
)
WEAPONS = (
    r"(?:(?:pipe |nail |car |letter |suicide |dirty |fertili[sz]er )?bombs?|explosives?|"
    r"ieds?|detonators?|napalm|molotov(?: cocktails?)?|nerve (?:gas|agents?)|sarin|ricin|"
    r"vx|anthrax|mustard gas|chlorine gas|toxic gas|ghost guns?|untraceable (?:gun|firearm)s?|"
    r"silencers?|suppressors?|tatp|semtex|thermite bombs?|grenades?|machine guns?|"
    r"bioweapons?|chemical weapons?|poison gas)"
)
HARM_VERBS = r"(?:kill|murder|poison|strangle|stab|shoot|drown|suffocate|hurt|maim)"
VICTIMS = (
    r"(?:someone|somebody|a person|people|a man|a woman|my (?:wife|husband|boss|teacher|"
    r"neighbou?r|dad|mom|mum|father|mother|brother|sister|ex|classmate)|him|her|them)"
)
MASS_VERBS = (
    r"(?:shoot up|sh[o0]{2}t up|bomb|blow up|attack|massacre|burn down|torch|raid|storm|"
    r"kill everyone (?:at|in)|kill (?:people|everyone) at|stab (?:people|everyone) at|"
    r"gas|firebomb|run over people at)"
)
PLACES = (
    r"(?:(?:the|a|my|our|that|this|their|his|her) )?(?:[a-z]+ )?(?:school|high school|"
    r"college|campus|university|class|classroom|mall|church|mosque|synagogue|temple|"
    r"concert|festival|office|workplace|parade|rally|protest|station|subway|hospital|clinic|"
    r"shelter|refugee cent(?:er|re)|stadium|club|bar|daycare|kindergarten|market|airport|"
    r"embassy|courthouse|police station|city hall|crowd)"
)
INCITE = (
    r"(?:let ?'? ?s|lets|we should|we must|we need to|someone should|somebody should|"
    r"someone needs to|everyone should|you should|go and|tonight we|tomorrow we|"
    r"it'?s time to|time to)"
)

# --- sexual_content ----------------------------------------------------------------------

SEXUAL_STRONG = [
    r"porn\w*",
    r"p[o0]rn",
    r"hardcore",
    r"xxx",
    r"blow ?jobs?",
    r"hand ?jobs?",
    r"cum ?shots?",
    r"creampies?",
    r"gang ?bangs?",
    r"deep ?throat\w*",
    r"hentai",
    r"masturbat\w*",
    r"jerk(?:s|ed|ing)? off",
    r"explicit sex\w*",
    r"graphic sex\w*",
    r"fuck(?:s|ed|ing)? (?:her|him|them)(?! (?:over|up|off|around|with))",
    r"sex tapes?",
    r"onlyfans",
    r"rule ?34",
    r"dildos?",
    r"vibrators?",
    r"anal sex",
    r"oral sex",
    r"69ing",
    r"nudes",
]
SEXUAL_MEDIUM = [
    r"sex scenes?",
    r"(?:have|having|had|has) sex",
    r"erotic\w*",
    r"nsfw",
    r"orgasms?",
    r"(?:came|cumming|comes) (?:inside|on her|on him|all over)",
    r"naked",
    r"nude",
    r"nudity",
    r"topless",
    r"panties",
    r"lingerie",
    r"tits",
    r"titties",
    r"boobs",
    r"moan(?:s|ed|ing)?",
    r"spread(?:s|ing)? (?:her |his |their )?legs",
    r"horny",
    r"aroused",
    r"uncensored",
    r"strip(?:s|ped|ping)? (?:naked|off)",
    r"sexy",
    r"sexual\w*",
    r"sex",
    r"undress\w*",
    r"touch(?:es|ed|ing)? (?:him|her|them)sel(?:f|ves)",
    r"seduc\w*",
    r"in bed with",
    r"make out",
    r"making out",
]
# Anatomical slang that is an ordinary word elsewhere (a rooster, a name, a cat): counts only
# beside other sexual evidence.
SEXUAL_AMBIGUOUS = [
    r"cocks?",
    r"dicks?",
    r"puss(?:y|ies)",
    r"cum",
    r"wet",
    r"clit\w*",
    r"penis",
    r"vagina",
    r"erect\w*",
    r"balls",
    r"ass",
    r"butt",
    r"nipples?",
    r"thrust\w*",
]
# Phrases with "sex" in them that are not sexual content.
SEXUAL_SAFE = (
    r"(?:sex education|sex ed|sexual health|sexual abuse (?:awareness|prevention|survivors?)|"
    r"sex of the (?:baby|child|fetus|foetus)|sexual orientation|sex offenders? registry|"
    r"same-sex|same sex|opposite sex|sexual harassment (?:training|policy))"
)

# --- sexual_minors (always rejected) -------------------------------------------------------

_YOUNG_AGE_WORDS = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen)"
)
MINORS = (
    r"(?:child|children|childs|kids?|minors?|underage|under-age|preteens?|pre-teens?|"
    r"little (?:girl|boy)s?|young (?:girl|boy)s?|schoolgirls?|schoolboys?|toddlers?|"
    r"infants?|loli|lolis|shota|jailbait|middle schoolers?|elementary school(?:ers)?|"
    r"grade schoolers?|(?:[1-9]|1[0-7]|" + _YOUNG_AGE_WORDS + r")(?: |-)?"
    r"(?:years?(?: |-)olds?|yrs?(?: |-)olds?|yo|y/o)|aged? (?:[1-9]|1[0-7]|"
    + _YOUNG_AGE_WORDS
    + r"))"
)
TEENS = r"(?:teens?|teenagers?|teenaged|adolescents?)"
CSAM_TERMS = [
    r"child porn\w*",
    r"kiddie porn\w*",
    r"kiddy porn\w*",
    r"cp links?",
    r"csam",
    r"pthc",
    r"lolicon",
    r"shotacon",
    r"jailbait",
    r"pedo (?:content|pics|videos|links)",
]

# --- self_harm ---------------------------------------------------------------------------

SELF_HARM_ACTS = (
    r"(?:kill myself|killing myself|end my life|ending my life|end it all|commit suicide|"
    r"suicide|hang myself|cut myself|cutting myself|hurt myself|harm myself|slit my wrists|"
    r"overdose|od|die|not wake up|starve myself|shoot myself|jump off)"
)
SELF_INTENT = (
    r"(?:i want to|i wanna|i need to|i'?m going to|im going to|i am going to|i'?m gonna|"
    r"im gonna|i will|i'?ll|ill|i plan to|i'?m planning to|i am planning to|i'?ve decided to|"
    r"i have decided to|i'?m ready to|i am ready to|tonight i|i just want to)"
)
SELF_HARM_PROMOTION = [
    r"hide (?:my |the |self[- ]?harm |fresh )?(?:cuts|scars|self[- ]?harm)",
    r"cut(?:ting)? deeper",
    r"thinspo\w*",
    r"pro-?ana",
    r"pro-?mia",
    r"meanspo",
    r"starve yourself",
    r"purge after (?:every|each) meal",
    r"suicide (?:methods?|tips|guide|instructions)",
    r"ways to (?:kill yourself|commit suicide|die)",
    r"(?:cutting|self[- ]?harm|starving)"
    r"(?: yourself)? is (?:the only thing|the answer|beautiful|worth it|the best)",
    r"everyone should (?:try )?(?:cutting|cut)",
    r"you should (?:cut|starve) yourself",
]

# --- spam --------------------------------------------------------------------------------

TLDS = (
    r"(?:com|net|org|io|ly|xyz|ru|biz|info|shop|top|club|site|online|link|me|co|gg|tk|ml|"
    r"cc|app|live|store|vip|win|bet|casino|click|cn|pw|ws|su|us|uk|de)"
)
PROMO = [
    r"buy now",
    r"order now",
    r"click here",
    r"cl[i1]ck h[e3]re",
    r"limited time",
    r"limited offer",
    r"act now",
    r"100 ?% free",
    r"free (?:followers|likes|views|v-?bucks|"
    r"robux|gift ?cards?|iphone|money|bitcoin|crypto|prize|spins)",
    r"free prize",
    r"earn \$? ?\d+",
    r"make money (?:fast|online|from home|quick)",
    r"work from home",
    r"(?:discount|promo|coupon) code",
    r"use code",
    r"\d+ ?% off",
    r"cheap (?:viagra|cialis|"
    r"pills|followers|likes|meds|watches|rolex)",
    r"viagra",
    r"cialis",
    r"replica (?:watches|"
    r"bags|rolex)",
    r"crypto (?:giveaway|signals|investment)",
    r"double your (?:money|bitcoin|"
    r"crypto|btc)",
    r"subscribe to my (?:channel|page)",
    r"check out my (?:channel|page|"
    r"profile|store|shop|onlyfans)",
    r"follow me on",
    r"online casino",
    r"casino bonus",
    r"\d+ ?% bonus",
    r"sign up (?:now|at|here|(?:for )?free)",
    r"loan approved",
    r"no credit check",
    r"apply now",
    r"guaranteed (?:delivery|results|income|returns)",
    r"no prescription",
    r"discreet shipping",
    r"(?:real|instant) followers",
    r"followers? (?:for|only) \$",
    r"no survey",
    r"generator",
    r"claim (?:your|now|it)",
    r"win (?:a|an|free|big)",
    r"dm me",
    r"message me on",
    r"(?:like and )?subscribe(?: now)?",
    r"whats ?app(?: me)?",
    r"telegram",
    r"btc",
    r"send \d",
]

# --- copyright_violation ------------------------------------------------------------------

WORKS = (
    r"(?:lyrics|script|screenplay|chapters?|book|novel|text|song|episode|season|film|movie|"
    r"transcript|album|poem|comic|manga|series|show)"
)
VERBATIM = (
    r"(?:verbatim|word for word|word-for-word|exact (?:text|copy|words|lyrics|script|"
    r"dialogue)|copy (?:and|&) paste|copy-paste|copy paste|unaltered)"
)
PIRACY = [
    r"torrents?",
    r"t0rrents?",
    r"pirated",
    r"pirate bay",
    r"warez",
    r"keygens?",
    r"nulled",
    r"cam ?rip",
    r"dvd ?rip",
    r"crack(?:ed)? (?:version|apk|download|software)",
    r"cracked \w+ download",
    r"bootleg(?:ged)? (?:copy|copies|recording)",
    r"(?:4k|1080p|720p|hd|blu-?ray|web|bd) ?rips?",
    r"mega (?:link|folder)",
    r"mega\.nz",
    r"leaked (?:episode|album|script|movie|film|chapter|song)s?",
    r"(?:watch|stream|download) (?:\w+ ){0,6}(?:for )?free online",
    r"download (?:\w+ ){0,5}(?:movie|film|album|ebook|e-book|pdf|season|episode)s? "
    r"(?:\w+ ){0,2}for free",
    r"ripped (?:it )?from (?:netflix|hulu|disney\+?|hbo|amazon|prime|spotify|youtube|"
    r"crunchyroll|apple tv)",
    r"(?:upload|re-?upload|post|share) (?:the )?(?:whole|full|entire|complete) "
    r"(?:movie|film|episode|season|album|book)",
    r"all rights reserved",
]

# Whole words that the fragments above spell only in parts (for undoing spacing, stretching
# and masks: "f*cking", "n*gg*r", "s u i c i d e").
SENSITIVE_WORDS = [
    "fuck",
    "fucks",
    "fucked",
    "fucking",
    "fucker",
    "shit",
    "shits",
    "shitty",
    "bitch",
    "bitches",
    "cunt",
    "cunts",
    "whore",
    "whores",
    "slut",
    "sluts",
    "asshole",
    "assholes",
    "nigger",
    "niggers",
    "nigga",
    "niggas",
    "faggot",
    "faggots",
    "retard",
    "retarded",
    "kill",
    "kills",
    "killed",
    "killing",
    "idiot",
    "idiots",
    "moron",
    "morons",
    "loser",
    "losers",
    "worthless",
    "pathetic",
    "stupid",
    "suicide",
    "myself",
    "yourself",
    "urself",
    "kys",
    "porn",
    "porno",
    "hentai",
    "naked",
    "nude",
    "sexy",
    "sex",
    "erotic",
    "pussy",
    "cock",
    "dick",
    "tits",
    "boobs",
    "penis",
    "orgasm",
    "masturbate",
    "masturbating",
    "jews",
    "muslims",
    "gays",
    "lesbians",
    "immigrants",
    "refugees",
    "vermin",
    "parasites",
    "subhuman",
    "exterminated",
    "bomb",
    "bombs",
    "shoot",
    "hang",
    "rape",
    "raped",
    "die",
    "dead",
    "hate",
    "kike",
    "kikes",
    "wetback",
    "wetbacks",
    "chink",
    "chinks",
    "tranny",
    "trannies",
    "thinspo",
    "torrent",
    "pirated",
    "free",
    "robux",
    "followers",
    "click",
    "here",
    "viagra",
    "casino",
    "lingerie",
    "underage",
    "schoolgirls",
    "child",
    "children",
    "kid",
    "kids",
    "loli",
    "porn",
]
