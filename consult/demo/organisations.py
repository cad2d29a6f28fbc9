"""Invented organisations that respond to the benefit enquiry consultation, and their formal voice."""

from __future__ import annotations

from consult.demo.specs import Organisation


def _org(name: str, about: str, topics: str, agreement: int) -> Organisation:
    return Organisation(name=name, about=about, topics=tuple(topics.split()), agreement=agreement)


ORGANISATIONS = (
    _org(
        "Millbridge Welfare Rights Centre",
        "We are an independent charity giving free advice on benefits and debt to people in Millbridge and the "
        "villages around it.",
        "accuracy appeals person",
        2,
    ),
    _org(
        "Eastmere Advice Partnership",
        "We are a partnership of six advice agencies across Eastmere offering free, confidential advice on "
        "benefits, housing, debt and employment.",
        "accuracy digital person",
        3,
    ),
    _org(
        "Ashby Moor Community Law Centre",
        "We are a community law centre providing specialist advice and representation, including at benefit "
        "appeal tribunals.",
        "appeals accuracy bias",
        2,
    ),
    _org(
        "Thornley Vale Money and Benefits Advice",
        "We are a small charity helping people in Thornley Vale to claim what they are entitled to and to manage debt.",
        "waiting accuracy digital",
        3,
    ),
    _org(
        "Riverside Estates Advice Project",
        "We run drop-in advice sessions on three housing estates, mostly for people on low incomes who are not "
        "online at home.",
        "digital person waiting",
        2,
    ),
    _org(
        "St Aidan's Church Benefits Drop-in",
        "We are a volunteer-led drop-in based at a parish church, helping people read letters, fill in forms and "
        "make calls.",
        "person older digital",
        2,
    ),
    _org(
        "Eastmere Disabled People's Forum",
        "We are an organisation run by and for disabled people in Eastmere, with around 600 members.",
        "disability person bias",
        1,
    ),
    _org(
        "Clearview Sight Loss Society",
        "We support blind and partially sighted people to live independently, including with access to "
        "information and services.",
        "disability digital",
        3,
    ),
    _org(
        "Signal Deaf Community Association",
        "We are a community association of Deaf people, most of whom use British Sign Language as their first "
        "language.",
        "disability language",
        3,
    ),
    _org(
        "Open Door Mental Health Peer Network",
        "We are a network of peer support groups for people living with mental health problems.",
        "person disability privacy",
        1,
    ),
    _org(
        "Millbridge Self-Advocacy Group",
        "We are a self-advocacy group run by people with learning disabilities, supported by two paid workers.",
        "disability person",
        2,
    ),
    _org(
        "Later Life Forum Thornley Vale",
        "We are a forum of older people's groups, lunch clubs and day centres across Thornley Vale.",
        "older digital person",
        2,
    ),
    _org(
        "Eastmere Older People's Network",
        "We bring together older residents of Eastmere to speak up on the services that affect them.",
        "older person",
        1,
    ),
    _org(
        "Carers Together Eastmere",
        "We support unpaid carers, many of whom deal with the benefits system on behalf of the person they care for.",
        "person waiting privacy",
        3,
    ),
    _org(
        "Public Service Advisers' Union",
        "We are a trade union representing staff who work in public contact centres, including benefit enquiry lines.",
        "jobs accuracy person",
        1,
    ),
    _org(
        "Contact Centre Staff Association",
        "We represent staff in customer contact roles across several public bodies.",
        "jobs waiting accuracy",
        2,
    ),
    _org(
        "Millbridge Borough Council",
        "We are the local authority for Millbridge, which has a population of about 140,000.",
        "digital waiting cost",
        4,
    ),
    _org(
        "Thornley Vale District Council",
        "We are a largely rural district council; our customer services team helps many residents with "
        "benefit questions.",
        "digital older waiting",
        3,
    ),
    _org(
        "Caerwen County Council",
        "We are a county council in Wales, where a large share of our residents speak Welsh day to day.",
        "language digital",
        3,
    ),
    _org(
        "Caerwen Welsh Language Forum",
        "We are a voluntary forum that works to protect the right of Welsh speakers to use Welsh in public services.",
        "language bias",
        2,
    ),
    _org(
        "Eastmere Refugee and Migrant Advice Hub",
        "We give free advice to refugees and migrants, many of whom are still learning English.",
        "language bias person",
        2,
    ),
    _org(
        "Millbridge Digital Connect Trust",
        "We help people to get online, with free devices, data and one-to-one support.",
        "digital waiting",
        4,
    ),
    _org(
        "Ashby Moor Library Digital Helpers",
        "We are volunteers who run weekly digital help sessions in Ashby Moor's public libraries.",
        "digital older",
        3,
    ),
    _org(
        "Public Algorithms Scrutiny Group",
        "We are an independent research group that studies how public bodies use algorithms and AI.",
        "bias privacy data_sharing",
        2,
    ),
    _org(
        "Citizens' Data Trust",
        "We are a civil society organisation that campaigns for people's rights over data held about them.",
        "privacy data_sharing",
        2,
    ),
    _org(
        "Hearthstone Housing Association",
        "We are a housing association with about 9,000 homes, and our tenancy sustainment team helps tenants "
        "with benefit claims.",
        "waiting accuracy",
        4,
    ),
    _org(
        "Millbridge Food Bank Network",
        "We are a network of five food banks; many of the people we see are waiting for a benefit payment or a "
        "decision.",
        "waiting person accuracy",
        2,
    ),
    _org(
        "Lone Parents of Ashby Moor",
        "We are a peer group for single parents, who often have to contact the benefits service between work "
        "and childcare.",
        "waiting privacy",
        4,
    ),
    _org(
        "Pennine Anti-Poverty Alliance",
        "We are an alliance of community groups, faith groups and trade union branches working to end poverty "
        "in our region.",
        "cost jobs person",
        1,
    ),
    _org(
        "Association of Public Service Technology Suppliers",
        "We are a trade body representing companies that supply digital services to the public sector.",
        "waiting cost",
        5,
    ),
    _org(
        "Thornley Vale Chamber of Commerce",
        "We represent about 400 local businesses, many of whose employees claim in-work benefits.",
        "waiting cost",
        4,
    ),
    _org(
        "Young Claimants Network",
        "We are a network of young people aged 16 to 25 with experience of the benefits system.",
        "waiting digital privacy",
        4,
    ),
    _org(
        "Veterans' Welfare Fellowship",
        "We are a charity supporting former members of the armed forces and their families.",
        "person accuracy",
        3,
    ),
)
