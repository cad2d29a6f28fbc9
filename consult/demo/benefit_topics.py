"""What individuals write about the benefit enquiry assistant, topic by topic."""

from __future__ import annotations

from consult.demo.benefits import WORRIES
from consult.demo.specs import Topic

WRONG, PERSON, PRIVACY, DISABLED, OFFLINE, LANGUAGE, UNFAIR, JOBS, COST, _NOTHING = WORRIES

TOPICS = (
    Topic(
        key="accuracy",
        worry=WRONG,
        weight=1.7,
        against=(
            "Benefit rules are complicated and a machine is going to get things wrong.",
            "I have been given wrong information by trained staff before, so I doubt a computer will do better.",
            "If it tells someone the wrong thing they could lose money they can't afford to lose.",
            "These AI programs make things up and say them like they are facts.",
            "Even 3% wrong is thousands of people every month getting bad information.",
            "The answer that's right for most people is often wrong for people like me whose situation isn't simple.",
            "It sounds confident even when it's wrong, and people will believe it.",
            "Who is responsible when it gets it wrong? The computer can't be held to account.",
            "The guidance itself is often out of date or unclear, so an assistant built on it will be too.",
        ),
        for_=(
            "If the answers come from the official guidance and show where they came from, that's better than what I "
            "get now.",
            "I've had different answers from different advisers to the same question, so something consistent would "
            "help.",
            "The testing results sound reasonable and I like that you will publish them.",
            "For simple questions like payment dates I don't see how it could go far wrong.",
            "Being able to check the links it gives is reassuring.",
        ),
        lived_against=(
            "Last year I was told on the phone that I didn't need to report a change, and I ended up with an "
            "overpayment I'm still paying back.",
            "My partner was given two different answers in one week about the same letter.",
            "I tried one of these chatbots with my bank and it just went round in circles and told me something that "
            "turned out to be wrong.",
            "I work with numbers all day and I still find the rules about earnings and the taper confusing.",
        ),
        lived_for=(
            "I used a similar assistant with my energy supplier and it sorted out a simple question in two minutes.",
            "When I wanted to know if my payment would come early at Christmas it took me an hour on hold to get a "
            "one-line answer.",
        ),
    ),
    Topic(
        key="person",
        worry=PERSON,
        weight=1.6,
        against=(
            "People need to be able to talk to a human being, especially when they are desperate.",
            "It will become a wall between people and the help they need.",
            "I'm worried that over time the option to speak to a person will quietly disappear.",
            "When you are in a crisis you cannot explain it to a robot.",
            "Every company that brings in a chatbot says you can still reach a person, and then you can't.",
            'Saying "adviser" over and over to a machine that doesn\'t understand you is exhausting.',
            "Nobody who is frightened about their rent wants to type into a chat box.",
        ),
        for_=(
            "As long as I can still press 0 and get a person, I don't mind the option being there.",
            "If it takes the simple questions away, the advisers should have more time for the people who really need "
            "them.",
            "I like that it hands over to a person for anything about bereavement or safety.",
            "Passing on the conversation so you don't have to repeat yourself would be a real improvement.",
        ),
        lived_against=(
            "When my mum died I rang to sort out her benefits and I needed a kind person, not a computer.",
            "I have anxiety and the only thing that gets me through these calls is a calm human voice.",
            "My son has a learning disability and he gives up as soon as he hears an automated voice.",
        ),
        lived_for=("I'd rather not talk to anyone if I don't have to, phone calls make me anxious.",),
    ),
    Topic(
        key="waiting",
        worry=PERSON,
        weight=1.3,
        against=(
            "The real problem is the waiting times, and the answer is to employ enough staff.",
            "I don't believe this will cut waiting times for people who need an adviser.",
            "You'll end up waiting to talk to the machine and then waiting again for a person.",
        ),
        for_=(
            "Anything that cuts the waiting times has to be worth trying.",
            "Being able to get an answer at night or at the weekend would make a big difference.",
            "Waiting 40 minutes on hold to ask one simple question is ridiculous, so this could help.",
            "I work shifts and I can never call during office hours, so a chat that's always there suits me.",
            "Most of my questions are quick ones and I just want a quick answer.",
        ),
        lived_against=("Last month I waited an hour and ten minutes and then got cut off.",),
        lived_for=(
            "The last time I called I was on hold for 52 minutes on my lunch break and had to give up.",
            "I've had to take unpaid time off work just to sit on hold.",
            "I once spent most of a morning redialling because the line was too busy to even queue.",
        ),
    ),
    Topic(
        key="privacy",
        worry=PRIVACY,
        weight=1.1,
        against=(
            "I don't trust what will happen to what I tell it.",
            "People will end up typing in very personal things about their health and their money.",
            "Ninety days is too long to keep conversations, and two years is far too long.",
            "Data gets leaked all the time, and benefit claimants are easy targets for scammers.",
            "I'm not comfortable with my voice being processed by a private company.",
            "Removing personal details automatically won't catch everything people write.",
        ),
        for_=(
            "I'm reassured that it doesn't see my claim.",
            "Deleting conversations after 90 days seems sensible.",
            "I'd rather type a general question anonymously than give all my details to someone on the phone.",
        ),
        lived_against=(
            "I was the victim of identity fraud two years ago and I'm very careful about who has my details now.",
            "I've had scam texts pretending to be from the benefits office, so I'm wary of anything new.",
        ),
        lived_for=("Sometimes I just want to ask a general question without saying who I am.",),
    ),
    Topic(
        key="data_sharing",
        worry=PRIVACY,
        weight=0.6,
        against=(
            "I worry the conversations will be shared with other departments or used against people's claims later.",
            "The company that makes the language model should have nothing to do with claimants' information.",
            "Once the data is collected it will be used for other things, it always is.",
            "Saying it won't be used to train their products is easy to say and hard to check.",
        ),
        for_=(
            "It's good that the supplier isn't allowed to use the conversations for anything else.",
            "Keeping everything in UK data centres is the right thing to do.",
        ),
    ),
    Topic(
        key="disability",
        worry=DISABLED,
        weight=1.0,
        against=(
            "Many disabled people will find this much harder to use, not easier.",
            "Speech recognition is terrible with speech impairments and it will just keep saying it didn't understand.",
            "People with learning disabilities or brain injuries need patience and explanation, not a script.",
            "Chatbots are often a nightmare with screen readers.",
            "People with mental health problems need a person who can notice when something is wrong.",
            "Disabled people already have the most complicated claims and the most to lose from a wrong answer.",
        ),
        for_=(
            "For deaf people a text chat could be easier than the phone.",
            "Being able to ask the same question again without feeling judged would help a lot of people.",
            "I'm glad you say you will test it with disabled people, as long as that really happens.",
        ),
        lived_against=(
            "I have a stammer and voice systems cut me off before I've finished speaking.",
            "I am registered blind and use a screen reader, and most web chats I've tried don't work with it.",
            "I have MS and on bad days I can't type much at all.",
            "I have dyslexia and long written answers are really hard for me to follow.",
        ),
        lived_for=(
            "I'm deaf and I hate phone lines, so being able to type a question would actually help me.",
            "I'm autistic and I find talking on the phone really hard, so I'd use the chat.",
        ),
    ),
    Topic(
        key="older",
        worry=OFFLINE,
        weight=0.8,
        against=(
            "Older people will struggle with this and many won't even try.",
            "A lot of pensioners will just give up and miss out on what they are entitled to.",
            "Older people want to talk to someone and shouldn't be pushed online.",
        ),
        for_=(
            "My elderly neighbour would probably find talking to it on the phone easier than the keypad menus.",
            "Being able to ask a question out loud is easier for some older people than pressing numbers.",
        ),
        lived_against=(
            "My dad is 81 and he doesn't own a smartphone or a computer.",
            "My nan gets confused by automated phone systems and ends up calling me in tears.",
            "I'm 74 and I don't use the internet, I never have.",
        ),
        lived_for=("I'm 68 and I use web chats all the time, not every older person is scared of technology.",),
    ),
    Topic(
        key="digital",
        worry=OFFLINE,
        weight=0.9,
        against=(
            "Lots of people don't have internet at home or enough data on their phone.",
            "Not everyone can read and write well enough to use a chat.",
            "People who are already digitally excluded will be pushed even further to the back of the queue.",
            "If you're using a pay-as-you-go phone, sitting on a chat eats up data you can't afford.",
        ),
        for_=(
            "Most people use their phones for everything now, so this is where people are.",
            "Keeping the phone lines and face-to-face appointments means no one is forced online.",
            "Younger people like me would much rather use a chat than make a phone call.",
        ),
        lived_against=(
            "I can only get online at the library, and it's only open three days a week.",
            "I don't have broadband and my phone credit runs out before the end of the month.",
        ),
        lived_for=("I do everything on my phone, I haven't made a phone call to a company in years.",),
    ),
    Topic(
        key="language",
        worry=LANGUAGE,
        weight=0.7,
        against=(
            "It will not cope with people whose first language is not English.",
            "Welsh speakers have a legal right to be served in Welsh, and a machine translation won't do.",
            "It will struggle with strong accents, and not everyone speaks like a newsreader.",
            "People who are still learning English describe things in simple words and it will misunderstand them.",
        ),
        for_=(
            "It's good that it will work in Welsh from day one.",
            "A chat you can read slowly might be easier for people whose English isn't strong.",
            "If it could answer in other languages too, it could help a lot of people who struggle now.",
        ),
        lived_against=(
            "I speak Welsh at home and I'm fed up of Welsh being an afterthought.",
            "My English is not perfect and on the phone they often don't understand me.",
            "I have a strong Glaswegian accent and voice systems never understand a word I say.",
        ),
        lived_for=("My mother speaks Polish and she could read the answers with a translation app.",),
    ),
    Topic(
        key="jobs",
        worry=JOBS,
        weight=0.7,
        against=(
            "This is the first step towards cutting advisers' jobs.",
            "Two years without cuts means there will be cuts after two years.",
            "Advisers know things from experience that aren't written in any guidance.",
            "Good jobs in places like mine are being replaced by software.",
        ),
        for_=(
            "Advisers spend too much of their time on simple questions and could be doing more useful work.",
            "I'm glad you say no adviser jobs will go because of this.",
        ),
        lived_against=(
            "I worked in a contact centre for eleven years and I know how much people value a real person.",
            "My sister works on the helpline and the staff are already stretched to breaking point.",
        ),
    ),
    Topic(
        key="appeals",
        worry=WRONG,
        weight=0.6,
        against=(
            "If it gives you wrong information, how do you prove what it said?",
            "People may think what the assistant said is a decision and not realise they can challenge it.",
            "It might put people off asking for a reconsideration by making things sound final.",
            "Telling it about a change not counting as reporting it is a trap that people will fall into.",
        ),
        for_=(
            "I like that each conversation gets a reference number so you can show what you were told.",
            "Treating a wrong answer from it the same as a wrong answer from an adviser is fair.",
        ),
        lived_against=(
            "I won my appeal at tribunal but only because I had kept every letter, and I doubt I could keep a chat.",
        ),
    ),
    Topic(
        key="bias",
        worry=UNFAIR,
        weight=0.6,
        against=(
            "AI systems are known to be biased against people who are already treated unfairly.",
            "It will work best for people who write like civil servants and worst for everyone else.",
            "I worry it will treat people differently depending on how they speak or where they come from.",
            "There should be proper checks that it works just as well for everyone.",
        ),
        for_=(
            "A machine doesn't get tired or irritable or judge you on how you sound.",
            "If you publish how well it works for different groups, that's more than you do for the phone lines now.",
        ),
    ),
    Topic(
        key="cost",
        worry=COST,
        weight=0.6,
        against=(
            "How much is the company being paid for this?",
            "This money should be spent on staff, not on a tech contract.",
            "These projects always go over budget and end up being scrapped.",
            "It feels like the point of this is to save money, not to help people.",
        ),
        for_=(
            "If it saves money that can be spent elsewhere in the system, that's a good thing.",
            "Answering simple questions automatically must be cheaper than everyone waiting on hold.",
        ),
    ),
)
