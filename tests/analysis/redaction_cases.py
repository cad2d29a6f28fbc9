"""Personal data seeded in answers, of every kind the redactor knows and in many shapes, and near
misses that must be left alone: a fixture of our own writing (no real person's details: phone
numbers from Ofcom's drama ranges, example.com addresses, the QQ National Insurance prefix that
is never issued, invented names and streets).

`SEEDED` pairs an answer with the exact personal data seeded in it; `NEAR_MISSES` are answers with
none. Each kind's shapes are written out, then set in several sentences, so that every shape is
seen in several places of an answer (start, middle, end, before punctuation)."""

from __future__ import annotations

# Where the seeded item sits in an answer: {} is replaced by the item.
PLACES = (
    "{}",
    "You can reach me: {}.",
    "I was told to give {} when I rang, which I did.",
    "Honestly the service is slow ({}) and nobody calls back",
)

PHONES = [
    "07700 900123",
    "07700900461",
    "+44 7700 900982",
    "020 7946 0321",
    "(020) 7946 0999",
    "0117 496 0123",
    "0044 117 496 0456",
    "+44 (0)20 7946 0077",
    "07700-900-321",
    "01632 960001",
]
EMAILS = [
    "jo.marsh.demo@example.com",
    "J.Bloggs+consult@example.org",
    "priya_k@mail.example.co.uk",
    "o.adeyemi@example.net",
    "someone.else@example.gov.uk",
]
POSTCODES = ["MB7 2QT", "SW1A 1AA", "EM4 9XJ", "cf10 1aa", "M1 1AE", "B33 8TH"]
NI_NUMBERS = ["QQ 12 34 56 C", "QQ123456C", "qq123456c", "AB 12 34 56 D"]
NHS_NUMBERS = ["943 476 5919", "9434765870"]
CARDS = ["4111 1111 1111 1111", "5500-0000-0000-0004", "378282246310005"]
STREETS = ["14 Ferncliffe Road", "Flat 3, 22 Orchard Walk", "12a Acacia Avenue", "7 Heol y Bont"]

# Kinds that need the words introducing them: the whole sentence is the shape.
INTRODUCED = [
    ("My name is Delyth Parry-Rowe and I've been waiting nine weeks.", "Delyth Parry-Rowe"),
    ("my name is delyth parry-rowe, still waiting", "delyth parry-rowe"),
    ("Hello, my name's Tom Hughes.", "Tom Hughes"),
    ("I'm called Aled and I work nights.", "Aled"),
    ("People call me Bethan. Call me Bethan if you need to.", "Bethan"),
    ("I am Sarah, a full-time carer for my dad.", "Sarah"),
    ("I'm Sarah Jones and I use the phone line every month.", "Sarah Jones"),
    ("Im Gareth from the estate.", "Gareth"),
    ("It took weeks.\n\nKind regards,\nJo Marsh", "Jo Marsh"),
    ("Please keep the phone line. Regards, Priya", "Priya"),
    ("That is all I have to say.\nThanks\nRhys Evans", "Rhys Evans"),
    ("Yours sincerely, Margaret Thomas", "Margaret Thomas"),
    ("Keep the office open. Best wishes, Helen", "Helen"),
    ("Diolch, Siwan", "Siwan"),
    ("Cofion gorau,\nEmyr Lloyd", "Emyr Lloyd"),
    ("Fy enw i yw Gwenllian ac rwy'n byw yma.", "Gwenllian"),
    ("Name: Olu Adeyemi", "Olu Adeyemi"),
    ("I was born on 3 March 1961 and I have never used a chatbot.", "3 March 1961"),
    ("My DOB is 03/03/61, if that helps.", "03/03/61"),
    ("date of birth: 1961-03-03", "1961-03-03"),
    ("D.O.B. 14.07.1958", "14.07.1958"),
    ("My birthday is 1st of May 1990.", "1st of May 1990"),
    ("born March 4, 1975 in Swansea", "March 4, 1975"),
    ("Pay it to sort code 12-34-56 please.", "12-34-56"),
    ("sort code: 20 45 67", "20 45 67"),
    ("My bank is 40-11-22 41234567 and they keep paying late.", "40-11-22"),
    ("My bank is 40-11-22 41234567 and they keep paying late.", "41234567"),
    ("account number 31926819, sort code 60-16-13", "31926819"),
    ("account number 31926819, sort code 60-16-13", "60-16-13"),
    ("Bank account no. 12345678 at the building society.", "12345678"),
    ("i live at 14 ferncliffe road and the library has closed", "14 ferncliffe road"),
    ("My address is flat 2, 9 linden court, ring the bell.", "flat 2, 9 linden court"),
    ("I live in flat 3b above the shop.", "flat 3b"),
    ("Write to me at 22 orchard walk.", "22 orchard walk"),
    ("we moved to 5 bryn street last year", "5 bryn street"),
]

# Written after the rule above and scored before any change to it (see docs/benchmarks.md): how
# the rule does on shapes nobody tuned it on.
BLIND = [
    ("Hi, my name is Ffion Williams and my son is autistic.", "Ffion Williams"),
    ("My name is Kwame Mensah. I came to the UK in 2004.", "Kwame Mensah"),
    ("my name's jack, 19, unemployed", "jack"),
    ("I'm Anjali Patel, a social worker in Eastmere.", "Anjali Patel"),
    ("I am David and I have COPD.", "David"),
    ("I'm Ceri, I volunteer at the food bank.", "Ceri"),
    ("Not good enough.\n\nThanks,\nMichael O'Brien", "Michael O'Brien"),
    ("Please think again.\nBest regards\nAmira Hassan", "Amira Hassan"),
    ("Yours faithfully,\nElizabeth Morgan", "Elizabeth Morgan"),
    ("cheers, dan", "dan"),
    ("Thank you, Lowri", "Lowri"),
    ("Signed: Peter Davies", "Peter Davies"),
    ("They can call me Mo.", "Mo"),
    ("DOB 12/11/1949 and still no help", "12/11/1949"),
    ("I was born on the 5th of November 1955.", "5th of November 1955"),
    ("born 21 Jan 1988", "21 Jan 1988"),
    ("My date of birth is 30-06-1972.", "30-06-1972"),
    ("dob: 1 april 1960", "1 april 1960"),
    ("sort code 309634", "309634"),
    ("S/C 08-90-00 acc 55779911", "08-90-00"),
    ("S/C 08-90-00 acc 55779911", "55779911"),
    ("account no 87654321", "87654321"),
    ("My account number is 11223344, please refund it.", "11223344"),
    ("a/c 99887766", "99887766"),
    ("I live at 3 the crescent, millbridge", "3 the crescent"),
    ("we live at 44b kings road", "44b kings road"),
    ("my address is 10 downing street lol", "10 downing street"),
    ("I live at Flat 12, 8 Station Road, Eastmere.", "Flat 12, 8 Station Road"),
    ("Send it to 19 Maple Close please.", "19 Maple Close"),
    ("Phone me on 07700 900 777 after six.", "07700 900 777"),
    ("email: Jo.Marsh@example.com", "Jo.Marsh@example.com"),
    ("My postcode is mb72qt", "mb72qt"),
    ("NI number QQ 65 43 21 A", "QQ 65 43 21 A"),
    ("NHS no 943 476 5919", "943 476 5919"),
    ("card 4111-1111-1111-1111 was charged twice", "4111-1111-1111-1111"),
    ("I'm Tomasz Nowak and English is my second language.", "Tomasz Nowak"),
]

SEEDED: list[tuple[str, str]] = (
    [
        (place.format(item), item)
        for items in (PHONES, EMAILS, POSTCODES, NI_NUMBERS, NHS_NUMBERS, CARDS, STREETS)
        for item in items
        for place in PLACES
    ]
    + INTRODUCED
    + BLIND
)

# Answers with no personal data, many of them near misses of a pattern above.
NEAR_MISSES = [
    "I am worried this will go wrong.",
    "I'm Welsh and I want the Welsh version to work.",
    "I am Disabled and the phone is hard for me.",
    "Thanks, Universal Credit paid on time this month.",
    "Citizens Advice helped me fill in the form.",
    "Grace Road needs resurfacing, and Victoria Station has no lift.",
    "Kind regards to the staff, they were lovely.",
    "Thanks for asking.",
    "Many thanks",
    "Regards",
    "My name is on the waiting list for a flat.",
    "I was born in 1985 and have lived here since.",
    "Born and bred in Swansea.",
    "We need 10 more street lights on the estate.",
    "There are 3 main roads into town and all are jammed.",
    "The 12-34 bus is always late.",
    "I waited from 12 March to 30 April 2024 for a decision.",
    "My account was closed without warning.",
    "The account number box on the form is too small.",
    "I live in Wales and the service is poor.",
    "I live at the end of a long lane.",
    "We live on benefits and it is hard.",
    "Call me old fashioned, but I want a person.",
    "Call me when the pilot starts? No, email is better.",
    "I'm 68 and I use web chats all the time.",
    "I am 42 years old with two children.",
    "I'm not sure about this.",
    "I am May's carer.",
    "Love the idea, hate the supplier.",
    "Cheers for listening.",
    "Yours is the best service I have used.",
    "Sincerely hope this works.",
    "Signed up for the newsletter last year.",
    "It costs 12345678 pounds according to the report.",
    "Sort code checks should be done by a person.",
    "My DOB was wrong on the letter.",
    "The consultation closes on 15 January 2027.",
    "In 2019 Downing Street said the same.",
    "3 Crown Court hearings later I won.",
    "I called 111 and 999 in the same week.",
    "Room 101 at the jobcentre is where they hold interviews.",
    "Flat rate fees are unfair.",
    "Dear oh dear.",
    "I'm called back every time, never answered.",
    "I am Sure Start trained and this worries me.",
    "Diolch am ofyn.",
    "Cofion at bawb yn y swyddfa.",
    "The helpline number is on the letter.",
    "Visit the website at gov.uk for details.",
    "Ferncliffe Road library has closed.",
    "My name is not important; the service is.",
    "I am Jewish and the forms ask odd questions.",
    "Thanks again, Millbridge Council, for nothing.",
    "I'm Autistic and phone calls are very hard.",
    "Regards, a worried tenant",
    "Best wishes to everyone working there.",
    "My son was born in March and we applied in May.",
    "The sort code and account number fields kept clearing.",
    "Account 2024-25 showed a loss.",
    "We live at number 10's mercy, it seems.",
]
