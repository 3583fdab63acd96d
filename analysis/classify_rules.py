"""Rules of the classifier: heading labels, context, weak-label cleaning, agencies and topics.

Pure functions over a sentence's text (and, where the guide says so, its section). Every rule is
general wording from the labelling guide (/work/shared/labelling-guide.md), never a particular
letter's or area's phrasing, because the tags are also checked on unseen letters.
"""

from __future__ import annotations

import re

from analysis.letter import AGENCIES, TOPICS
from analysis.pattern_set import PatternSet

# ---------------------------------------------------------------------------------------------
# Heading labels
# ---------------------------------------------------------------------------------------------

# 'There are no areas for priority action' (and variants) says nothing must be done: context.
_NO_PRIORITY = re.compile(
    r"\bno\s+(areas?\s+(identified\s+)?for\s+priority\s+action|priority\s+actions?)\b", re.I
)


def is_no_priority_statement(text: str) -> bool:
    return bool(_NO_PRIORITY.search(text))


def heading_label(section: str, text: str) -> str | None:
    """The label the heading alone fixes (priority actions), or None when the model decides."""
    if section == "priority_action":
        return "context" if is_no_priority_statement(text) else "priority_action"
    return None


# ---------------------------------------------------------------------------------------------
# Context: sentences that only describe the inspection, arrangements, numbers or the future
# ---------------------------------------------------------------------------------------------

# The inspection itself and the letter's own boilerplate (next steps, statement of action).
_INSPECTION = re.compile(
    r"^(this|the)\s+(joint\s+)?(targeted\s+area\s+)?inspection\s+(took place|was|evaluated|"
    r"considered|included|focused)|^this letter\b|^inspectors\s+(looked|reviewed|considered|"
    r"evaluated|spoke|examined|tracked|sampled|met)|^(as part of|during) this inspection\b|"
    r"written statement of (proposed )?action|statement will inform|lines of enquiry|"
    r"@ofsted\.gov\.uk|principal authority|^the response should|"
    r"\bno priority actions?\b|^this (joint )?inspection\b|deep dive",
    re.I,
)
# Only looks ahead, per the guide ('too soon to evaluate', 'has the capacity to'): context even
# when the sentence also carries a judgement word, because the guide names these phrases.
_LOOKS_AHEAD_STRONG = re.compile(
    r"\btoo (early|soon) to\b|\bin development\b|\bat an early stage\b|\bis considering\b|"
    r"\bhas yet to be evaluated\b|\bplans? (is|are) (now )?in place to address\b|"
    r"\bnot yet (possible|able) to (evaluate|assess|measure|see|know)\b",
    re.I,
)
# Weaker look-ahead wording: context only when no judgement word is present.
_LOOKS_AHEAD = re.compile(
    r"\b(is|are) (being|currently being) (developed|set up|established|introduced|rolled out|"
    r"considered|reviewed|piloted|implemented)\b|\bhas the capacity to\b|"
    r"\bwill (have|be able to|provide|improve|offer|enable)\b|"
    r"\bis (currently )?working (with|to)\b|"
    r"\b(is|are) (intended|planned|due) to\b|\bhave (recently )?(implemented|introduced)\b",
    re.I,
)
# A judgement word: if present the sentence is not context however it looks (guide: a strength
# 'needs a word of judgement ... or a stated result').
_JUDGEMENT = re.compile(
    r"\b(effective(ly)?|ineffective|good|strong(ly)?|well|timely|untimely|robust(ly)?|"
    r"appropriate(ly)?|inappropriate|consistent(ly)?|inconsistent(ly)?|poor(ly)?|weak(ness)?|"
    r"insufficient(ly)?|sufficient(ly)?|lack(s|ing)?|delay(s|ed)?|not|never|too|only|gaps?|"
    r"improv(e|ed|ing|ement)|excellent|impressive|positive|clear(ly)?|unclear|limited|"
    r"thorough(ly)?|high[- ]quality|skilled|knowledgeable|successful(ly)?|failed|failure|"
    r"routinely|regularly|every|always|better|worse|well-|mature|comprehensive|"
    r"proactive(ly)?|prompt(ly)?|swift(ly)?|quickly|reduc(e|es|ed|ing)|benefit(s|ed)?|"
    r"ensur(e|es|ed|ing)|enabl(e|es|ed|ing)|helps?|safer|outcomes?|difference|"
    r"however|but|although|despite|while)\b",
    re.I,
)
# Numbers and rates only: 'The rate of children ... is 68%.'
_NUMBERS = re.compile(
    r"^(in [\w ’']+, )?(the (rate|number|proportion) of [^.]*\b(is|was|are|were)\b[^.]*\d|"
    r"\d+(\.\d+)?( ?%| per cent))",
    re.I,
)


def context_rule(text: str, cues: set[str] | None = None) -> bool:
    """True when the sentence only describes the inspection, the future, or numbers.

    Judgement words veto the look-ahead and number rules, never the inspection boilerplate.
    ``cues``: cues_in(text), when already known.
    """
    found = cues_in(text) if cues is None else cues
    if "inspection" in found or "looks_ahead_strong" in found:
        return True
    if "judgement" in found:
        return False
    return "looks_ahead" in found or bool(_NUMBERS.search(text))


# ---------------------------------------------------------------------------------------------
# Bare noun-phrase bullets ('The timeliness of strategy discussions.') take their heading's side
# ---------------------------------------------------------------------------------------------

_FINITE_VERB = re.compile(
    r"\b(is|are|was|were|has|have|had|do|does|did|can|cannot|could|should|must|may|might|will|"
    r"would|shall|need|needs|remain|remains|wait|waits|lack|lacks|receive|receives|know|knows|"
    r"understand|understands|work|works|make|makes|take|takes|ensure|ensures|provide|provides|"
    r"use|uses|share|shares|mean|means|leads|result|results|show|shows|see|sees|get|gets|"
    r"undertake|undertakes|recognise|recognises|identify|identifies|continue|continues|"
    r"experience|experiences|attend|attends|seek|seeks|report|reports|require|requires)\b",
    re.I,
)
# Praise that opens a sentence: such a bullet is a sentence, not a bare noun phrase.
_PRAISE_OPENING = re.compile(
    r"^(there (is|are)|the (effective|good|strong|timely)|effective|good|strong|well|timely|"
    r"robust|excellent|impressive)\b",
    re.I,
)


def is_bare_noun_phrase(text: str, cues: set[str] | None = None) -> bool:
    """A bullet with no finite verb ('The consistency of ... and the quality of ...').
    ``cues``: cues_in(text), when already known."""
    found = cues_in(text) if cues is None else cues
    return "finite_verb" not in found and not _PRAISE_OPENING.search(text)


# ---------------------------------------------------------------------------------------------
# Cleaning the heading (weak) labels used for training
# ---------------------------------------------------------------------------------------------

# A criticism inside a Strengths bullet: 'not yet', 'however', 'but ... not', 'inconsistent'.
_NEGATIVE_CUE = re.compile(
    r"\b(not|no longer|never|yet to|lack(s|ing)?|insufficient(ly)?|inconsistent(ly)?|"
    r"delay(s|ed)?|too (long|slow|late|few|many|often)|weak(ness|nesses)?|poor(ly)?|limited|"
    r"gaps?|variable|variabl[ey]|unclear|failed|failure|fails|however|but|although|despite|"
    r"needs? to|should|further work|less (effective|well)|difficult(y|ies)|concern(s|ing)?)\b",
    re.I,
)
# Praise inside an improvements bullet.
_POSITIVE_CUE = re.compile(
    r"\b(effective(ly)?|good|strong(ly)?|well|timely|robust(ly)?|excellent|impressive|"
    r"positive(ly)?|thorough(ly)?|successful(ly)?|skilled|knowledgeable|committed|mature|"
    r"comprehensive|proactive(ly)?|prompt(ly)?|appropriate(ly)?|improved|benefit(s|ed)?)\b",
    re.I,
)


# The cues a sentence's feature row reads, found in one pass rather than one search each.
# 'judgement': a word of judgement (the guide: a strength 'needs a word of judgement').
CUE_PATTERNS: dict[str, re.Pattern[str]] = {
    "inspection": _INSPECTION,
    "looks_ahead_strong": _LOOKS_AHEAD_STRONG,
    "looks_ahead": _LOOKS_AHEAD,
    "judgement": _JUDGEMENT,
    "finite_verb": _FINITE_VERB,
    "negative": _NEGATIVE_CUE,
    "positive": _POSITIVE_CUE,
}
_CUE_SET = PatternSet(CUE_PATTERNS)


def cues_in(text: str) -> set[str]:
    """The names of the CUE_PATTERNS the sentence contains."""
    return _CUE_SET.found(text)


def clean_weak_label(text: str, weak: str) -> str | None:
    """The heading's label for training, or None where the sentence contradicts its heading.

    Strengths sentences with a criticism cue and improvements sentences with praise and no
    criticism are dropped rather than flipped: they are too often mixed to be safe either way.
    """
    if weak == "strength" and _NEGATIVE_CUE.search(text):
        return None
    if weak == "improvement" and _POSITIVE_CUE.search(text) and not _NEGATIVE_CUE.search(text):
        return None
    return weak


def _rx(pattern: str) -> re.Pattern[str]:
    """Compile a lexicon for lower-cased text, tried only at word starts.

    Why: ~10k sentences x 25 lexicons must run in well under a second; case-insensitive
    matching and trying every alternative at every character were most of the cost (the
    rest: trying every alternative at every word, which the PatternSets below avoid). The
    lexicons are written with lower-case escapes only (\\b, \\d, \\w, \\s), so lower-casing
    them is safe.
    """
    return re.compile(r"\b(?:" + pattern.lower() + ")")


# ---------------------------------------------------------------------------------------------
# Agencies
# ---------------------------------------------------------------------------------------------

_OFFICER_NOT_POLICE = (
    r"probation|youth offending|youth justice|liaison|designated|welfare|education|housing|"
    r"attendance|reviewing|family|health|support|case|medical|safeguarding|engagement|"
    r"intervention|outreach|children’s|children's|council|lead|senior|chief executive"
)

AGENCY_PATTERNS: dict[str, re.Pattern[str]] = {  # searched in lower-cased text
    "children_social_care": _rx(
        r"social (care|work(ers?)?)\b|children[’']?s services|\blocal authority\b|"
        r"\bthe council\b|\bcouncil[’']?s?\b|independent reviewing officers?|\bIROs?\b|"
        r"\bLADO\b|designated officer|child protection (conference )?chairs?|"
        r"director of children|\bDCS\b|children[’']?s social|referral and assessment|"
        r"edge of care|care leavers?|\b(leave|leaving|left) care\b|children in care|"
        r"looked[- ]after|emergency duty (team|service)|"
        r"children and families (service|team|department)|"
        r"child protection (plans?|enquir(y|ies))|\bchild in need\b(?! of)|\bsection 47\b|"
        r"\bplacements?\b|\bfoster(ing| carers?| care| placements?)\b"
    ),
    "police": _rx(
        r"\bpolice\b|\bconstabulary\b|\bthe force\b|\bforce[’']s\b|\bPCSOs?\b|"
        r"\bdetectives?\b|\bMOSOVO\b|public protection (unit|investigation)|\bPPU\b|\bCAIT\b|"
        r"crime commissioner|\bMAPPAs?\b|multi-agency public protection|Operation Encompass|"
        r"(?<!in )(?<!task )\bforce\b(?! of)|\barrest(s|ed|ing)?\b|\bcustody\b|\bDASH\b|"
        r"criminal investigations?|registered sex offenders?|\bsuspects?\b|\bpolicing\b|"
        r"domestic (abuse|violence) incidents?|"
        r"(?<!"
        + r")(?<!".join(
            # fixed-width look-behinds, one per word, so 'probation officers' is not police
            sorted({f"{w} " for w in _OFFICER_NOT_POLICE.split("|")}, key=len)
        )
        + r")\bofficers?\b"
    ),
    "health": _rx(
        r"\bGPs?\b|general practi(ce|tioners?)|\bCAMHS\b|child and adolescent mental health|"
        r"\bhospitals?\b|\bnurs(e|es|ing)\b|midwi(fe|ves|fery)|health visit(or|ors|ing)|"
        r"\bpaediatric(ian|ians|s)?\b|emergency department|\bA&E\b|\bNHS\b|\bCCGs?\b|"
        r"clinical commissioning|integrated care (board|system)|\bICBs?\b|"
        r"liaison and diversion|\bdoctors?\b|\bclinician|"
        r"\bambulance\b|public health|community health|mental health (services?|trust|"
        r"practitioners?|professionals?|teams?|workers?|provision|support)|"
        r"\bhealth (partners?|services?|professionals?|staff|practitioners?|agencies|"
        r"colleagues|providers?|trusts?|commissioners?|leaders?|teams?|representatives?|"
        r"representation|records?|visitors?|economy|organisations?|settings?|input)\b|"
        r"\bhealth[’']s\b|designated (doctor|nurse|professionals?)|named (nurse|doctor)s?|"
        r"(?<!mental )(?<!emotional )(?<!physical )(?<!sexual )(?<!public )\bhealth\b"
        r"(?! (and )?(needs|and (care|social care) plans?|and well-?being|outcomes))|"
        r"\bmedicals?\b|neurodevelopmental|\bmaternity\b|speech and language"
    ),
    "education": _rx(
        r"\bschools?(?! nurs)|\bcolleges?\b|\bteachers?\b|\bheadteachers?\b|\beducation\b(?<!"
        r"missing education)|early years|\bnurser(y|ies)\b|designated safeguarding leads?|"
        r"\bacadem(y|ies)\b|virtual school|alternative provision|pupil referral|\bpupils?\b|"
        r"\bDSLs?\b"
    ),
    "probation": _rx(
        r"\bprobation\b|\bNPS\b|\bCRCs?\b|community rehabilitation compan|offender managers?|"
        r"\bMAPPAs?\b|multi-agency public protection|approved premises|"
        r"(?<!sex )(?<!young )\boffenders?\b(?! management)|offenders?[’']s?\b(?= )"
    ),
    "youth_justice": _rx(
        r"youth offending|\bYOT\b|\bYOS\b|\bYJS\b|youth justice|out-of-court|"
        r"restorative justice|children who offend|\boffending\b"
    ),
    "safeguarding_partnership": _rx(
        r"safeguarding (children )?(board|partnership|partners)|\bLSCBs?\b|"
        r"\b[A-Z]{0,5}SC[BP]\b|(?<!across )(?<!within )(?<!in )(?<!of )\bthe partnership\b|"
        r"\bpartnership[’']s\b|partnership (board|leaders|audits?)|"
        r"leaders across the partnership|^partnerships\b|multi-agency safeguarding arrangements|"
        r"strategic (leadership )?(group|board)|\bMASAs?\b|\bsub-?groups?\b|"
        # A partnership's own short name ('the LSP'); community safety ones (CSP, SSP) are
        # `other`, and a few words end the same way.
        r"\b(?!(csp|ssp|esp|grasp|crisp|clasp|wasp|gasp|lisp)\b)[a-z]{1,5}sp\b"
    ),
    "voluntary_sector": _rx(
        r"(?<!private, )(?<!private )\bvoluntary\b(?! attendance)|third sector|"
        r"\bcharit(y|ies|able)\b|Barnardo|\bNSPCC\b|"
        r"community (and voluntary )?organisations|not-for-profit"
    ),
    "adult_services": _rx(
        r"adult (social care|services)|adults[’']? (social care|services)|adult mental health|"
        r"substance misuse|drug and alcohol (services?|teams?|workers?|treatment)|"
        r"adult (safeguarding|care)|services? (working )?(with|for) (parents|adults)|"
        r"adults?[’']?s?[’']? (mental|case|records?|pathways?)|vulnerable adults|"
        r"adult and children[’']?s services"
    ),
    "other": _rx(
        r"\bCafcass\b|\bhousing\b|"
        r"\bIDVAs?\b|independent domestic (violence|abuse) advis|community safety partnership|"
        r"taxi|licensing|district councils?|\bCPS\b|crown prosecution|\bCSPs?\b|"
        r"violence reduction (units?|partnerships?|networks?)|\bL?VR[UPN]s?\b|"
        r"fire (and rescue )?(service|brigade)|(?<!of-)\bcourts?\b|"
        r"sexual (abuse|assault) referral|\bSARC\b"
    ),
}
assert set(AGENCY_PATTERNS) == set(AGENCIES)
_AGENCY_SET = PatternSet(AGENCY_PATTERNS)

# A sentence opening with these words points back at the previous sentence (guide's
# coreference rule): 'This ...', 'They ...'.
# Words that open a sentence by carrying on from the one before ('However, ...').
CONNECTIVES = (
    "however", "additionally", "in addition", "as a result", "consequently", "also",
    "furthermore", "moreover", "despite this", "for example",
)  # fmt: skip
_BACK_REFERENCE = re.compile(
    rf"^(({'|'.join(CONNECTIVES)}),? )?(this|these|they|their|it|its|such|those|in this case|"
    r"here)\b",
    re.I,
)


def agencies_in(text: str) -> set[str]:
    """Agencies the sentence names or clearly implies by a role ('GPs', 'officers')."""
    return _AGENCY_SET.found(text.lower())


def refers_back(text: str) -> bool:
    return bool(_BACK_REFERENCE.match(text.strip()))


# ---------------------------------------------------------------------------------------------
# Topics
# ---------------------------------------------------------------------------------------------

TOPIC_PATTERNS: dict[str, re.Pattern[str]] = {  # searched in lower-cased text
    # Activity directed at the people who harm, never the harm a child suffered.
    "perpetrator_focus": _rx(
        r"\bperpetrators?\b|\babusers?\b|\bexploiters?\b|\b(sex |sexual |violent |adult )?"
        r"offenders?(?! management)\b|offender[’']s|offender management|"
        r"\b(people|person|persons|adults?|those|individuals?|men|anyone) (who|that) "
        r"(pose|poses|posed|present|presents|may pose|might pose)\b|"
        r"\b(people|person|persons|adults?|those|individuals?) (causing|posing|presenting) (harm|"
        r"a risk|risks?)|\b(pose|poses|posed|present|presents)\b[^.]{0,25}\bto others\b|"
        r"(risks?|harm) (to|for) [^.]{0,20}\b(the )?(wider )?public\b|"
        r"\bmanag(e|es|ed|ing) (the )?risks? of (serious )?harm\b|"
        r"person causing harm|persons? of concern|risks? (of harm )?(to|towards) others|"
        # Not 'harmful sexual behaviour' or 'criminal justice': the guide keeps a child who harms
        # out, and the letters' criminal justice is mostly children kept out of it.
        r"harm to others|"
        r"\bdisrupt(s|ed|ing|ions?|ive action)?\b|\bprosecut(e|es|ed|ing|ion|ions)\b|"
        r"criminal investigations?|investigat(e|ed|ing|ion) "
        r"(of )?(an |the )?allegations?|"
        # A criminal investigation, not a child protection enquiry (docs/taxonomy.md, hard
        # case 15); a team's name is the agency's, not its work.
        r"police investigat(e|es|ed|ing|ions?)\b(?! (teams?|units?))|offence investigations?|"
        r"\binvestigated\b[^.]{0,30}\bby (the )?police|\binvestigative\b|"
        r"achieving best evidence|\bABE\b|"
        r"investigat(ions?|ing|ed|e) (in)?to (the |an? )?(alleged |reported )?(crimes?|offences?|"
        r"allegations?|grooming|assaults?|rapes?)|crimes? (committed )?against children|"
        r"\bMAPPAs?\b|multi-agency public protection|"
        r"licence conditions|bail conditions|releas(e|ed) from (prison|custody)|pre-release|"
        r"\bcustodial\b|enforcement of [^.]{0,20}orders|restrictive orders|whether a crime|"
        r"crimes? (has|had|have) been committed|perpetrator programmes?|behaviour change programme|"
        r"domestic (violence|abuse) (disclosure scheme|protection (notices?|orders?))|"
        r"\bDV(PN|PO)s?\b|Clare[’']s Law|abduction warning notices?|"
        r"(sexual harm prevention|sexual risk|non-molestation|restraining) orders?|"
        r"\barrest(s|ed|ing)? (of )?(the )?(perpetrators?|suspects?|offenders?|adults?|men|"
        r"him|them)|"
        r"\b(charging|convict(ed|ion|ions)|imprison(ed|ment)?|sentenced|suspects?)\b|"
        r"\bMOSOVO\b|hold(ing)? (them|perpetrators|abusers|offenders|adults) to account|"
        r"held to account|\b(who|that) exploit(s|ed)?\b|"
        r"exploit(ing|s) (children|young|younger|vulnerable)|"
        r"\binstigators?\b|conditional cautions?|\bcriminal exploiters?\b"
    ),
    "voice_of_child": _rx(
        r"\bvoices?\b|wishes and feelings|lived experiences?|\bdirect work\b|"
        r"\b(views|wishes|experiences|perspectives?) of (the )?(child|children|young)|"
        r"children[’']s (views|wishes|experiences|perspectives?|words)|"
        r"child[’']s (views|wishes|experiences?|perspectives?|words|daily life)|"
        r"young people[’']s (views|wishes|experiences)|"
        r"\blisten(s|ed|ing)? to (the )?(child|children|young)|"
        r"\b(seen|spoken to|speak(s|ing)? to|talk(s|ed|ing)? to|visit(ed|s)?) "
        r"(the )?(child|children|young people)( alone)?|"
        r"\bseen alone\b|advoca(te|tes|cy)|return home interviews?|what (children|the child) "
        r"(say|said|tell|told)|relationships? with (the )?(child|children|young)|"
        r"\btrusted adults?\b|\bidentity\b|\bcultural\b|participation of children"
    ),
    "information_sharing": _rx(
        r"\bshar(e|es|ed|ing)\b|\binformation\b|\bintelligence\b|\brecord(s|ed|ing)?\b|"
        r"strategy (meetings?|discussions?)|\bMASH\b|multi-agency safeguarding hub|"
        r"front door|\bMARACs?\b|multi-agency risk assessment conferences?|"
        r"Operation Encompass|notifications?|\bnotif(y|ied|ies)\b|"
        r"\battend(s|ed|ing|ance)?\b|\bcommunicat(e|es|ed|ing|ion)\b|\bliaison\b|"
        r"\breferrals?\b|\brefer(s|red|ring)?\b|\bdaily (risk )?(briefings?|meetings?)|"
        r"\bchecks?\b|\bconsult(s|ed|ing|ation)\b|\binformed\b|\bcontact (between|with)"
    ),
    "assessment_and_planning": _rx(
        r"\bassess(es|ed|ing|ments?)?\b|\bplan(s|ned|ning)?\b(?<!business plan)|"
        r"\bidentif(y|ies|ied|ying|ication)\b|\brisks? (and|of) need|"
        r"\bunderstanding of (the )?risks?|\breview(s|ed|ing)? (of )?(the |their )?plans?|"
        r"\bMARACs?\b|multi-agency risk assessment|risk management|manag(e|es|ed|ing) (the )?"
        r"risks?|safety plan|child protection (plans?|conferences?|enquiries|investigations?)|"
        r"core groups?|child in need|section 47|\bthresholds?\b|decision-making|\bdecisions?\b|"
        r"\banalys(is|e|ed)\b|\bchronolog(y|ies)\b|risk (of|to) (the )?(child|children)"
    ),
    "management_oversight": _rx(
        r"\bsupervis(ion|ed|ing|ors?)\b|\boversight\b|quality assurance|\baudit(s|ed|ing)?\b|"
        r"\bmanagers?\b(?! of)|\bscrutin(y|ise|ised)\b|performance (information|data|"
        r"management|framework|reports?)|\bmonitor(s|ed|ing)?\b|\bsign(s|ed)? off\b|"
        r"\bmanagement\b(?! of sexual)(?<!risk management)|\bchalleng(e|es|ed|ing)\b|"
        r"\bescalat(e|es|ed|ing|ion)\b"
    ),
    "workforce": _rx(
        r"\bcapacity\b|\bcaseloads?\b|\bworkloads?\b|\brecruit(s|ed|ing|ment)?\b|"
        r"\bturnover\b|\btrain(ed|ing)\b|\bskill(s|ed)?\b|\bstaffing\b|\bvacanc(y|ies)\b|"
        r"agency staff|\bretention\b|\bexperienced\b|learning and development|"
        r"\bknowledgeable\b|\bresourc(e|es|ed|ing)\b|\bworkforce\b|\bstable\b|\bstability\b|"
        r"professional development|\bexpertise\b|\bcompetent\b"
    ),
    "leadership_and_partnership": _rx(
        r"\bleaders?\b|\bleadership\b|\bstrategic(ally)?\b|\bgovernance\b|"
        r"partnership (arrangements|working|work|board)|\bpriorit(y|ies|ised|ise)\b|"
        r"\bcommission(s|ed|ing|ers?)\b|\bboards?\b|senior (managers|leaders|officers)|"
        r"safeguarding (partners|partnership)|\bthe partnership\b|\bpartnerships?\b|"
        r"\bexecutive\b|\bstrateg(y|ies)\b(?! (meeting|discussion))|\bculture\b|"
        r"\bfunding\b|\binvest(s|ed|ment)\b|\bself-assessment\b|learning from"
    ),
    "early_help": _rx(
        r"early help|early intervention|\bfamily support\b|\bprevent(ion|ative|ive)\b|"
        r"universal (services?|provision)|targeted (family )?support|troubled families|"
        r"supporting families|family hubs?|family help|step(ped|ping)? down|"
        r"\bearly (support|offer)\b"
    ),
    # Version 2 of the guide: written from its definitions, before any gold of v2 was read.
    "missing_children": _rx(
        r"\bmissing\b|return home interviews?|\babsent\b|\bruns? away\b|\brunning away\b|"
        r"\bwent missing\b|\bgo(es|ing)? missing\b"
    ),
    "exploitation": _rx(
        r"\bexploit(ed|ation|ative|ers?|s|ing)?\b|\bCSE\b|\bCCE\b|county lines|\bgangs?\b|"
        r"traffick(ed|ing)|modern slavery|extra-familial|contextual safeguarding|"
        r"(harm|risks?) outside (the|their) (family|home)|national referral mechanism"
    ),
    "domestic_abuse": _rx(
        r"domestic (abuse|violence)|coercive|controlling behaviour|\bMARACs?\b|"
        r"multi-agency risk assessment conferences?|\bIDVAs?\b|independent domestic|"
        r"Operation Encompass|\brefuges?\b|intimate partner|\bDASH\b|"
        r"\bDV(PN|PO)s?\b|Clare[’']s Law"
    ),
    "timeliness": _rx(
        r"\btimel(y|iness)\b|\buntimely\b|\bdelay(s|ed)?\b|\bdrift\b|\bwait(s|ed|ing)?\b|"
        r"\bbacklogs?\b|\btimescales?\b|\bprompt(ly)?\b|\bswift(ly)?\b|\bquick(ly)?\b|"
        r"without delay|within \d+ (hours|days|working days)|\bslow(ly)?\b|too long|"
        r"\bdelayed\b|\burgent(ly)?\b|\bimmediate(ly)?\b|\brapid(ly)?\b|\blate\b"
    ),
    "access_to_services": _rx(
        r"waiting (lists?|times?)|\bavailab(le|ility)\b|\bunavailable\b|\baccess(ing)? "
        r"(to )?(services?|support|help|therapeutic|specialist|CAMHS|mental health)|"
        r"\bgaps? in (services?|provision|support)|\bsufficiency\b|lack of (services?|provision|"
        r"specialist|therapeutic)|\bcommissioned services?\b|therapeutic (support|services?|help)|"
        r"specialist (support|services?|provision)|\bprovision\b"
    ),
    "send_and_disability": _rx(
        r"special educational needs|\bSEN\b|"
        r"\bSEND\b(?= (services?|teams?|support|needs|provision|children|pupils))|"
        r"\bdisab(led|ility|ilities)\b|neurodivers|"
        r"\bautis(m|tic)\b|\bADHD\b|learning (difficult|disabilit)|speech and language|"
        r"communication needs|education,? health and care plans?|\bEHCPs?\b"
    ),
    "diversity_and_identity": _rx(
        r"\bethnic(ity|ities)?\b|\brac(e|ial|ism)\b|\bcultur(e|al|ally)\b|\bfaith\b|"
        r"\breligio(n|us)\b|\binterpreters?\b|first language|\bgender\b|\bsexuality\b|"
        r"\bLGBT|disproportional|\badultification\b|\bequalit(y|ies)\b|\bdiversity\b|"
        r"\bidentity\b|black (and|,)|minority|\bheritage\b"
    ),
}
assert set(TOPIC_PATTERNS) == set(TOPICS)
_TOPIC_SET = PatternSet(TOPIC_PATTERNS)


def topics_in(text: str) -> set[str]:
    return _TOPIC_SET.found(text.lower())


def join_tags(tags: set[str], order: tuple[str, ...]) -> str:
    """The ;-list in the taxonomy's order, so the same tags always give the same string."""
    return ";".join(t for t in order if t in tags)
