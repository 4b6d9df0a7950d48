"""The demo timetable: real Indian trains with their main halts, times, day offsets and distances.

Times and distances follow the published timetables closely enough for a demo (a few minutes or
kilometres out here and there); only the main halts are listed. Each stop is
`(station, arrives, departs, day_offset, km)`, `day_offset` being the day the train leaves the
stop (arrives, at the last one) counted from the day it leaves its origin.
"""

DAILY = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
MON_TO_SAT = DAILY[:6]

# Coach compositions, as (code, coaches, rupees per km). EC (Executive Chair Car) has no layout in
# The table of docs/api.md (Classes and berths), so the Shatabdis and Vande Bharats sell CC only.
RAJDHANI = (("1A", 1, "2.90"), ("2A", 5, "1.75"), ("3A", 11, "1.20"))
DURONTO = (("1A", 1, "2.90"), ("2A", 4, "1.75"), ("3A", 9, "1.20"))
SHATABDI = (("CC", 12, "1.05"),)
VANDE_BHARAT = (("CC", 14, "1.45"),)
VANDE_BHARAT_SHORT = (("CC", 7, "1.45"),)
MAIL_EXPRESS = (("2A", 2, "1.75"), ("3A", 5, "1.20"), ("SL", 10, "0.45"))


# Seats set aside, as Indian Railways do in the classes that have them: Tatkal (TQ) in every
# reserved class it is sold in, lower berths for senior citizens (SS) and RAC side lowers per
# coach, and a few berths for women (LD) per class. The rest of each class is general (GN).
TATKAL_PER_COACH = {"2A": 4, "3A": 8, "SL": 12, "CC": 10}
SENIOR_PER_COACH = {"2A": 3, "3A": 4, "SL": 6}
LADIES_PER_CLASS = {"3A": 6, "SL": 6}
RAC_PER_COACH = {"3A": 4, "SL": 7}


def set_aside(code: str, coaches: int) -> dict:
    """A class's `quotas` ({TQ, SS, LD}) and `rac_berths`, as the train API takes them."""
    return {
        "quotas": {
            "TQ": TATKAL_PER_COACH.get(code, 0) * coaches,
            "SS": SENIOR_PER_COACH.get(code, 0) * coaches,
            "LD": LADIES_PER_CLASS.get(code, 0),
        },
        "rac_berths": RAC_PER_COACH.get(code, 0) * coaches,
    }


def is_superfast(train_number: str) -> bool:
    """Superfast as Indian Railways number them: 12xxx, 20xxx and 22xxx (the Rajdhanis, Shatabdis,
    Durontos and Vande Bharats, and the long-distance expresses here but the Udyan Express)."""
    return train_number[:2] in ("12", "20", "22")


# (number, name, runs on, classes, stops)
# fmt: off
DEMO_TRAINS = [
    ("12951", "Mumbai Rajdhani Express", DAILY, RAJDHANI, [
        ("Mumbai Central", None, "17:00", 0, 0),
        ("Surat", "19:43", "19:48", 0, 263),
        ("Vadodara", "21:06", "21:16", 0, 392),
        ("Ratlam", "23:58", "00:01", 1, 652),
        ("Kota", "03:15", "03:25", 1, 919),
        ("New Delhi", "08:32", None, 1, 1386),
    ]),
    ("12952", "Mumbai Rajdhani Express", DAILY, RAJDHANI, [
        ("New Delhi", None, "16:55", 0, 0),
        ("Kota", "21:40", "21:50", 0, 465),
        ("Ratlam", "00:50", "00:53", 1, 733),
        ("Vadodara", "03:40", "03:50", 1, 994),
        ("Surat", "05:13", "05:18", 1, 1123),
        ("Mumbai Central", "08:35", None, 1, 1386),
    ]),
    ("22209", "Mumbai Duronto Express", ("TUE", "SAT"), DURONTO, [
        ("Mumbai Central", None, "23:00", 0, 0),
        ("Vadodara", "03:00", "03:10", 1, 392),
        ("Kota", "09:30", "09:40", 1, 919),
        ("New Delhi", "15:55", None, 1, 1386),
    ]),
    ("22210", "New Delhi Duronto Express", ("MON", "FRI"), DURONTO, [
        ("New Delhi", None, "23:25", 0, 0),
        ("Kota", "04:50", "05:00", 1, 465),
        ("Vadodara", "11:40", "11:50", 1, 994),
        ("Mumbai Central", "15:45", None, 1, 1386),
    ]),
    ("12903", "Golden Temple Mail", DAILY, MAIL_EXPRESS, [
        ("Mumbai Central", None, "18:45", 0, 0),
        ("Surat", "22:10", "22:15", 0, 263),
        ("Vadodara", "23:55", "00:05", 1, 392),
        ("Ratlam", "04:00", "04:05", 1, 652),
        ("Kota", "08:25", "08:35", 1, 919),
        ("Mathura", "14:10", "14:12", 1, 1242),
        ("New Delhi", "18:05", None, 1, 1384),
    ]),
    ("12953", "August Kranti Rajdhani", DAILY, RAJDHANI, [
        ("Mumbai Central", None, "17:10", 0, 0),
        ("Surat", "20:05", "20:10", 0, 263),
        ("Vadodara", "21:50", "22:00", 0, 392),
        ("Kota", "05:05", "05:15", 1, 919),
        ("Sawai Madhopur", "06:40", "06:42", 1, 1027),
        ("New Delhi", "10:55", None, 1, 1386),
    ]),
    ("12301", "Howrah Rajdhani Express", DAILY, RAJDHANI, [
        ("Howrah", None, "16:50", 0, 0),
        ("Dhanbad", "20:05", "20:10", 0, 259),
        ("Gaya", "22:10", "22:13", 0, 458),
        ("Pt. Deen Dayal Upadhyaya Jn", "00:45", "00:55", 1, 662),
        ("Prayagraj Junction", "02:50", "02:52", 1, 815),
        ("Kanpur Central", "05:00", "05:05", 1, 1009),
        ("New Delhi", "10:00", None, 1, 1450),
    ]),
    ("12302", "New Delhi Rajdhani Express", DAILY, RAJDHANI, [
        ("New Delhi", None, "16:55", 0, 0),
        ("Kanpur Central", "21:35", "21:40", 0, 440),
        ("Prayagraj Junction", "23:45", "23:47", 0, 635),
        ("Pt. Deen Dayal Upadhyaya Jn", "01:55", "02:05", 1, 788),
        ("Gaya", "03:55", "03:58", 1, 992),
        ("Dhanbad", "06:10", "06:15", 1, 1191),
        ("Howrah", "09:55", None, 1, 1450),
    ]),
    ("12273", "Howrah Duronto Express", ("MON", "WED", "FRI", "SAT"), DURONTO, [
        ("Howrah", None, "08:35", 0, 0),
        ("Dhanbad", "11:45", "11:50", 0, 259),
        ("Pt. Deen Dayal Upadhyaya Jn", "17:20", "17:30", 0, 662),
        ("Kanpur Central", "22:10", "22:15", 0, 1009),
        ("New Delhi", "05:15", None, 1, 1450),
    ]),
    ("12313", "Sealdah Rajdhani Express", DAILY, RAJDHANI, [
        ("Sealdah", None, "16:50", 0, 0),
        ("Asansol", "19:00", "19:02", 0, 200),
        ("Dhanbad", "20:00", "20:05", 0, 258),
        ("Gaya", "22:20", "22:23", 0, 457),
        ("Pt. Deen Dayal Upadhyaya Jn", "00:50", "01:00", 1, 660),
        ("Kanpur Central", "05:10", "05:15", 1, 1006),
        ("New Delhi", "10:30", None, 1, 1447),
    ]),
    ("12433", "Chennai Rajdhani Express", ("WED", "FRI"), RAJDHANI, [
        ("Chennai Central", None, "06:10", 0, 0),
        ("Vijayawada", "12:10", "12:25", 0, 431),
        ("Warangal", "14:55", "14:57", 0, 639),
        ("Nagpur", "21:10", "21:20", 0, 1091),
        ("Bhopal", "02:55", "03:00", 1, 1481),
        ("Jhansi", "05:35", "05:43", 1, 1772),
        ("Agra Cantt", "07:55", "07:58", 1, 1987),
        ("New Delhi", "10:30", None, 1, 2175),
    ]),
    ("12434", "Chennai Rajdhani Express", ("WED", "FRI"), RAJDHANI, [
        ("New Delhi", None, "15:55", 0, 0),
        ("Agra Cantt", "18:40", "18:43", 0, 188),
        ("Jhansi", "20:55", "21:03", 0, 403),
        ("Bhopal", "00:00", "00:05", 1, 694),
        ("Nagpur", "05:35", "05:45", 1, 1084),
        ("Vijayawada", "14:20", "14:35", 1, 1744),
        ("Chennai Central", "20:15", None, 1, 2175),
    ]),
    ("12621", "Tamil Nadu Express", DAILY, MAIL_EXPRESS, [
        ("Chennai Central", None, "22:00", 0, 0),
        ("Vijayawada", "04:20", "04:35", 1, 431),
        ("Warangal", "07:15", "07:17", 1, 639),
        ("Nagpur", "14:10", "14:15", 1, 1091),
        ("Bhopal", "20:55", "21:05", 1, 1481),
        ("Jhansi", "00:45", "00:50", 2, 1772),
        ("Agra Cantt", "03:25", "03:30", 2, 1987),
        ("New Delhi", "06:30", None, 2, 2182),
    ]),
    ("12622", "Tamil Nadu Express", DAILY, MAIL_EXPRESS, [
        ("New Delhi", None, "21:05", 0, 0),
        ("Agra Cantt", "23:55", "00:00", 1, 195),
        ("Jhansi", "02:35", "02:43", 1, 410),
        ("Bhopal", "06:25", "06:35", 1, 701),
        ("Nagpur", "13:15", "13:25", 1, 1091),
        ("Vijayawada", "23:45", "00:00", 2, 1751),
        ("Chennai Central", "07:10", None, 2, 2182),
    ]),
    ("22691", "Bengaluru Rajdhani Express", DAILY, RAJDHANI, [
        ("KSR Bengaluru", None, "20:00", 0, 0),
        ("Dharmavaram", "23:00", "23:05", 0, 220),
        ("Secunderabad", "07:00", "07:05", 1, 614),
        ("Nagpur", "14:15", "14:20", 1, 1196),
        ("Bhopal", "21:00", "21:05", 1, 1586),
        ("Jhansi", "00:35", "00:40", 2, 1877),
        ("New Delhi", "05:30", None, 2, 2365),
    ]),
    ("22692", "Bengaluru Rajdhani Express", DAILY, RAJDHANI, [
        ("New Delhi", None, "19:50", 0, 0),
        ("Jhansi", "00:10", "00:15", 1, 403),
        ("Bhopal", "03:25", "03:30", 1, 694),
        ("Nagpur", "09:50", "09:55", 1, 1084),
        ("Secunderabad", "17:15", "17:20", 1, 1666),
        ("KSR Bengaluru", "05:20", None, 2, 2365),
    ]),
    ("12627", "Karnataka Express", DAILY, MAIL_EXPRESS, [
        ("KSR Bengaluru", None, "19:20", 0, 0),
        ("Guntakal", "01:50", "02:00", 1, 360),
        ("Solapur", "06:20", "06:25", 1, 690),
        ("Manmad", "14:15", "14:20", 1, 1084),
        ("Bhopal", "23:30", "23:40", 1, 1680),
        ("Jhansi", "04:10", "04:15", 2, 1971),
        ("New Delhi", "09:00", None, 2, 2380),
    ]),
    ("12723", "Telangana Express", DAILY, MAIL_EXPRESS, [
        ("Hyderabad", None, "06:00", 0, 0),
        ("Kazipet", "08:20", "08:22", 0, 132),
        ("Nagpur", "15:10", "15:20", 0, 575),
        ("Bhopal", "22:15", "22:25", 0, 965),
        ("Jhansi", "02:10", "02:15", 1, 1256),
        ("Agra Cantt", "04:35", "04:40", 1, 1471),
        ("New Delhi", "08:05", None, 1, 1677),
    ]),
    ("12724", "Telangana Express", DAILY, MAIL_EXPRESS, [
        ("New Delhi", None, "16:00", 0, 0),
        ("Agra Cantt", "19:10", "19:15", 0, 195),
        ("Jhansi", "21:40", "21:48", 0, 410),
        ("Bhopal", "01:05", "01:15", 1, 701),
        ("Nagpur", "07:55", "08:05", 1, 1091),
        ("Kazipet", "13:45", "13:47", 1, 1545),
        ("Hyderabad", "17:45", None, 1, 1677),
    ]),
    ("12002", "Bhopal Shatabdi Express", DAILY, SHATABDI, [
        ("New Delhi", None, "06:00", 0, 0),
        ("Mathura", "07:19", "07:20", 0, 141),
        ("Agra Cantt", "07:50", "07:55", 0, 195),
        ("Gwalior", "09:23", "09:28", 0, 313),
        ("Jhansi", "10:45", "10:50", 0, 410),
        ("Bhopal", "14:25", None, 0, 704),
    ]),
    ("12001", "Bhopal Shatabdi Express", DAILY, SHATABDI, [
        ("Bhopal", None, "15:15", 0, 0),
        ("Jhansi", "18:25", "18:30", 0, 294),
        ("Gwalior", "19:45", "19:50", 0, 391),
        ("Agra Cantt", "21:15", "21:20", 0, 509),
        ("Mathura", "21:50", "21:52", 0, 563),
        ("New Delhi", "23:40", None, 0, 704),
    ]),
    ("12004", "Lucknow Swarna Shatabdi", DAILY, SHATABDI, [
        ("New Delhi", None, "06:10", 0, 0),
        ("Ghaziabad", "06:40", "06:42", 0, 25),
        ("Aligarh", "07:50", "07:52", 0, 126),
        ("Kanpur Central", "10:35", "10:40", 0, 440),
        ("Lucknow", "12:40", None, 0, 512),
    ]),
    ("12015", "Ajmer Shatabdi Express", DAILY, SHATABDI, [
        ("New Delhi", None, "06:10", 0, 0),
        ("Delhi Cantt", "06:30", "06:32", 0, 14),
        ("Gurgaon", "06:45", "06:47", 0, 32),
        ("Alwar", "08:25", "08:27", 0, 158),
        ("Jaipur", "10:35", None, 0, 308),
    ]),
    ("12009", "Ahmedabad Shatabdi Express", MON_TO_SAT, SHATABDI, [
        ("Mumbai Central", None, "06:20", 0, 0),
        ("Borivali", "06:50", "06:52", 0, 30),
        ("Vapi", "08:25", "08:27", 0, 177),
        ("Surat", "09:35", "09:40", 0, 263),
        ("Vadodara", "11:07", "11:12", 0, 392),
        ("Ahmedabad", "12:45", None, 0, 492),
    ]),
    ("12010", "Ahmedabad Shatabdi Express", MON_TO_SAT, SHATABDI, [
        ("Ahmedabad", None, "15:10", 0, 0),
        ("Vadodara", "16:35", "16:40", 0, 100),
        ("Surat", "18:08", "18:13", 0, 229),
        ("Vapi", "19:20", "19:22", 0, 315),
        ("Borivali", "21:00", "21:02", 0, 462),
        ("Mumbai Central", "21:35", None, 0, 492),
    ]),
    ("12027", "Bengaluru Shatabdi Express", DAILY, SHATABDI, [
        ("Chennai Central", None, "17:30", 0, 0),
        ("Katpadi", "19:05", "19:07", 0, 130),
        ("Bangarapet", "20:55", "20:57", 0, 270),
        ("KSR Bengaluru", "22:25", None, 0, 362),
    ]),
    ("12028", "Chennai Shatabdi Express", DAILY, SHATABDI, [
        ("KSR Bengaluru", None, "06:00", 0, 0),
        ("Bangarapet", "07:10", "07:12", 0, 92),
        ("Katpadi", "08:50", "08:52", 0, 232),
        ("Chennai Central", "11:00", None, 0, 362),
    ]),
    ("12025", "Pune Secunderabad Shatabdi", MON_TO_SAT, SHATABDI, [
        ("Pune", None, "14:15", 0, 0),
        ("Daund", "15:25", "15:27", 0, 76),
        ("Solapur", "17:55", "18:00", 0, 264),
        ("Kalaburagi", "19:55", "19:57", 0, 376),
        ("Hyderabad", "22:45", None, 0, 600),
    ]),
    ("22439", "Vande Bharat Express", ("MON", "WED", "THU", "FRI", "SAT", "SUN"), VANDE_BHARAT, [
        ("New Delhi", None, "06:00", 0, 0),
        ("Ambala Cantt", "07:50", "07:52", 0, 198),
        ("Ludhiana", "09:20", "09:22", 0, 313),
        ("Jammu Tawi", "12:38", "12:40", 0, 577),
        ("Katra", "14:00", None, 0, 655),
    ]),
    ("22440", "Vande Bharat Express", ("MON", "WED", "THU", "FRI", "SAT", "SUN"), VANDE_BHARAT, [
        ("Katra", None, "15:00", 0, 0),
        ("Jammu Tawi", "16:18", "16:20", 0, 78),
        ("Ludhiana", "19:36", "19:38", 0, 342),
        ("Ambala Cantt", "20:58", "21:00", 0, 457),
        ("New Delhi", "23:00", None, 0, 655),
    ]),
    ("22436", "Vande Bharat Express", ("TUE", "WED", "FRI", "SAT", "SUN"), VANDE_BHARAT, [
        ("New Delhi", None, "06:00", 0, 0),
        ("Kanpur Central", "10:08", "10:10", 0, 440),
        ("Prayagraj Junction", "12:08", "12:10", 0, 634),
        ("Varanasi", "14:00", None, 0, 759),
    ]),
    ("22435", "Vande Bharat Express", ("TUE", "WED", "FRI", "SAT", "SUN"), VANDE_BHARAT, [
        ("Varanasi", None, "15:00", 0, 0),
        ("Prayagraj Junction", "16:50", "16:52", 0, 125),
        ("Kanpur Central", "18:50", "18:52", 0, 319),
        ("New Delhi", "23:05", None, 0, 759),
    ]),
    ("20901", "Gandhinagar Vande Bharat", MON_TO_SAT, VANDE_BHARAT, [
        ("Mumbai Central", None, "06:10", 0, 0),
        ("Surat", "08:55", "08:58", 0, 263),
        ("Vadodara", "10:13", "10:16", 0, 392),
        ("Ahmedabad", "11:35", None, 0, 492),
    ]),
    ("20607", "Mysuru Vande Bharat", ("MON", "TUE", "THU", "FRI", "SAT", "SUN"), VANDE_BHARAT_SHORT, [
        ("Chennai Central", None, "05:50", 0, 0),
        ("Katpadi", "07:13", "07:15", 0, 130),
        ("KSR Bengaluru", "10:25", None, 0, 362),
    ]),
    ("22301", "Howrah Vande Bharat", ("MON", "TUE", "THU", "FRI", "SAT", "SUN"), VANDE_BHARAT_SHORT, [
        ("Howrah", None, "05:55", 0, 0),
        ("Bolpur Shantiniketan", "07:38", "07:40", 0, 145),
        ("Malda Town", "10:00", "10:05", 0, 340),
        ("Kishanganj", "12:15", "12:17", 0, 490),
        ("New Jalpaiguri", "13:25", None, 0, 567),
    ]),
    ("12263", "Pune Duronto Express", ("TUE", "FRI"), DURONTO, [
        ("Pune", None, "11:10", 0, 0),
        ("Lonavala", "12:05", "12:07", 0, 64),
        ("Vasai Road", "14:40", "14:45", 0, 224),
        ("Vadodara", "17:50", "18:00", 0, 617),
        ("Kota", "23:40", "23:50", 0, 1145),
        ("New Delhi", "04:55", None, 1, 1610),
    ]),
    ("12859", "Gitanjali Express", DAILY, MAIL_EXPRESS, [
        ("Mumbai CSMT", None, "06:00", 0, 0),
        ("Nashik Road", "10:30", "10:35", 0, 187),
        ("Bhusaval", "14:00", "14:05", 0, 443),
        ("Nagpur", "21:20", "21:30", 0, 837),
        ("Raipur", "01:00", "01:10", 1, 1130),
        ("Tatanagar", "08:30", "08:35", 1, 1760),
        ("Howrah", "12:30", None, 1, 1968),
    ]),
    ("12809", "Howrah Mail", DAILY, MAIL_EXPRESS, [
        ("Mumbai CSMT", None, "21:10", 0, 0),
        ("Nashik Road", "00:55", "01:00", 1, 187),
        ("Bhusaval", "04:20", "04:25", 1, 443),
        ("Nagpur", "11:40", "11:50", 1, 837),
        ("Raipur", "16:50", "17:00", 1, 1130),
        ("Tatanagar", "01:25", "01:30", 2, 1755),
        ("Howrah", "05:55", None, 2, 1968),
    ]),
    ("12163", "Chennai Express", DAILY, MAIL_EXPRESS, [
        ("Mumbai CSMT", None, "20:30", 0, 0),
        ("Pune", "00:15", "00:20", 1, 192),
        ("Solapur", "04:35", "04:40", 1, 455),
        ("Raichur", "09:55", "10:00", 1, 680),
        ("Renigunta", "16:45", "16:50", 1, 1090),
        ("Chennai Central", "21:40", None, 1, 1279),
    ]),
    ("11301", "Udyan Express", DAILY, MAIL_EXPRESS, [
        ("Mumbai CSMT", None, "08:10", 0, 0),
        ("Pune", "11:40", "11:45", 0, 192),
        ("Solapur", "16:15", "16:20", 0, 455),
        ("Wadi", "19:25", "19:30", 0, 570),
        ("Guntakal", "00:55", "01:05", 1, 800),
        ("KSR Bengaluru", "06:05", None, 1, 1150),
    ]),
    ("12309", "Patna Rajdhani Express", DAILY, RAJDHANI, [
        ("Patna", None, "19:10", 0, 0),
        ("Pt. Deen Dayal Upadhyaya Jn", "22:05", "22:15", 0, 212),
        ("Prayagraj Junction", "00:25", "00:27", 1, 365),
        ("Kanpur Central", "02:40", "02:45", 1, 559),
        ("New Delhi", "07:40", None, 1, 999),
    ]),
    ("12423", "Dibrugarh Rajdhani Express", DAILY, RAJDHANI, [
        ("Guwahati", None, "06:20", 0, 0),
        ("New Bongaigaon", "09:10", "09:12", 0, 180),
        ("New Jalpaiguri", "13:50", "14:10", 0, 407),
        ("Katihar", "17:35", "17:45", 0, 590),
        ("Patna", "23:40", "23:50", 0, 868),
        ("Kanpur Central", "05:10", "05:15", 1, 1480),
        ("New Delhi", "10:15", None, 1, 1920),
    ]),
]
# fmt: on

STATIONS = sorted({stop[0] for *_, stops in DEMO_TRAINS for stop in stops})

# The demo stations' real codes (Raipur's, R, is one letter: shorter than a code may be here).
STATION_CODES = {
    "Agra Cantt": "AGC", "Ahmedabad": "ADI", "Aligarh": "ALJN", "Alwar": "AWR", "Ambala Cantt": "UMB",
    "Asansol": "ASN", "Bangarapet": "BWT", "Bhopal": "BPL", "Bhusaval": "BSL", "Bolpur Shantiniketan": "BHP",
    "Borivali": "BVI", "Chennai Central": "MAS", "Daund": "DD", "Delhi Cantt": "DEC", "Dhanbad": "DHN",
    "Dharmavaram": "DMM", "Gaya": "GAYA", "Ghaziabad": "GZB", "Guntakal": "GTL", "Gurgaon": "GGN",
    "Guwahati": "GHY", "Gwalior": "GWL", "Howrah": "HWH", "Hyderabad": "HYB", "Jaipur": "JP",
    "Jammu Tawi": "JAT", "Jhansi": "VGLJ", "KSR Bengaluru": "SBC", "Kalaburagi": "KLBG", "Kanpur Central": "CNB",
    "Katihar": "KIR", "Katpadi": "KPD", "Katra": "SVDK", "Kazipet": "KZJ", "Kishanganj": "KNE", "Kota": "KOTA",
    "Lonavala": "LNL", "Lucknow": "LKO", "Ludhiana": "LDH", "Malda Town": "MLDT", "Manmad": "MMR",
    "Mathura": "MTJ", "Mumbai CSMT": "CSMT", "Mumbai Central": "BCT", "Nagpur": "NGP", "Nashik Road": "NK",
    "New Bongaigaon": "NBQ", "New Delhi": "NDLS", "New Jalpaiguri": "NJP", "Patna": "PNBE",
    "Prayagraj Junction": "PRYJ", "Pt. Deen Dayal Upadhyaya Jn": "DDU", "Pune": "PUNE", "Raichur": "RC",
    "Ratlam": "RTM", "Renigunta": "RU", "Sawai Madhopur": "SWM", "Sealdah": "SDAH", "Secunderabad": "SC",
    "Solapur": "SUR", "Surat": "ST", "Tatanagar": "TATA", "Vadodara": "BRC", "Vapi": "VAPI", "Varanasi": "BSB",
    "Vasai Road": "BSR", "Vijayawada": "BZA", "Wadi": "WADI", "Warangal": "WL",
}  # fmt: skip
