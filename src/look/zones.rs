//! Time zones: every IANA zone of jiff's bundled database (so the server
//! needs no tzdata of its system), what a time reads in one, and the few a
//! browser's language usually means, offered first on the settings page.

use std::sync::OnceLock;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use time::{OffsetDateTime, UtcOffset};

/// Every zone name the bundled database knows, sorted.
pub fn all() -> &'static [String] {
    static ALL: OnceLock<Vec<String>> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut names: Vec<String> = jiff::tz::db()
            .available()
            .map(|name| name.as_str().to_owned())
            .collect();
        names.sort();
        names
    })
}

/// The zone `name` names, if the database has it.
pub fn find(name: &str) -> Option<TimeZone> {
    TimeZone::get(name).ok()
}

/// Whether the database knows `name` (as it spells it: a cookie keeps the
/// name the settings page offered).
pub fn known(name: &str) -> bool {
    all()
        .binary_search_by(|known| known.as_str().cmp(name))
        .is_ok()
}

/// `at` as the clock on the wall reads it in `zone`, and the zone's short
/// name then ("CET", "CEST", or an offset such as "+03" where it has none).
pub fn local(zone: &TimeZone, at: OffsetDateTime) -> (OffsetDateTime, String) {
    let Ok(stamp) = Timestamp::from_second(at.unix_timestamp()) else {
        return (at.to_offset(UtcOffset::UTC), "UTC".to_owned());
    };
    let info = zone.to_offset_info(stamp);
    let offset = UtcOffset::from_whole_seconds(info.offset().seconds()).unwrap_or(UtcOffset::UTC);
    (at.to_offset(offset), info.abbreviation().to_owned())
}

/// The zones people who ask for `tags` (`Accept-Language`, most wanted
/// first) usually live in: those of each tag's region ("fr-CA"), else of
/// its language's usual regions ("ar"). Known zones only, each once.
pub fn usual(tags: &[String]) -> Vec<&'static str> {
    let mut zones: Vec<&'static str> = Vec::new();
    for tag in tags.iter().take(4) {
        let mut parts = tag.split(['-', '_']);
        let lang = parts.next().unwrap_or_default().to_ascii_lowercase();
        let region = parts
            .find(|part| part.len() == 2 && part.bytes().all(|b| b.is_ascii_alphabetic()))
            .map(str::to_ascii_uppercase);
        let regions: Vec<String> = match region {
            Some(region) => vec![region],
            None => LANGUAGE_REGIONS
                .iter()
                .find(|(l, _)| *l == lang)
                .map(|(_, regions)| regions.iter().map(|r| (*r).to_owned()).collect())
                .unwrap_or_default(),
        };
        for region in regions {
            let found = REGION_ZONES.iter().find(|(r, _)| *r == region);
            for zone in found.map(|(_, zones)| *zones).unwrap_or_default() {
                if known(zone) && !zones.contains(zone) {
                    zones.push(zone);
                }
            }
        }
    }
    zones
}

/// The regions a bare language tag most often means.
const LANGUAGE_REGIONS: &[(&str, &[&str])] = &[
    ("en", &["US", "GB", "CA", "AU", "IN"]),
    ("ar", &["EG", "SA", "AE", "MA", "IQ"]),
    ("fr", &["FR", "CA", "BE", "CH"]),
    ("de", &["DE", "AT", "CH"]),
    ("es", &["ES", "MX", "AR", "CO"]),
    ("pt", &["BR", "PT"]),
    ("it", &["IT"]),
    ("nl", &["NL", "BE"]),
    ("ru", &["RU"]),
    ("ja", &["JP"]),
    ("zh", &["CN", "TW"]),
    ("hi", &["IN"]),
    ("he", &["IL"]),
    ("tr", &["TR"]),
    ("pl", &["PL"]),
];

/// The main zones of a region (ISO 3166), its capital's first.
const REGION_ZONES: &[(&str, &[&str])] = &[
    (
        "US",
        &[
            "America/New_York",
            "America/Chicago",
            "America/Denver",
            "America/Los_Angeles",
            "America/Anchorage",
            "Pacific/Honolulu",
        ],
    ),
    ("GB", &["Europe/London"]),
    ("IE", &["Europe/Dublin"]),
    (
        "CA",
        &[
            "America/Toronto",
            "America/Vancouver",
            "America/Edmonton",
            "America/Winnipeg",
            "America/Halifax",
            "America/St_Johns",
        ],
    ),
    (
        "AU",
        &[
            "Australia/Sydney",
            "Australia/Melbourne",
            "Australia/Brisbane",
            "Australia/Adelaide",
            "Australia/Perth",
        ],
    ),
    ("NZ", &["Pacific/Auckland"]),
    ("IN", &["Asia/Kolkata"]),
    ("EG", &["Africa/Cairo"]),
    ("SA", &["Asia/Riyadh"]),
    ("AE", &["Asia/Dubai"]),
    ("MA", &["Africa/Casablanca"]),
    ("IQ", &["Asia/Baghdad"]),
    ("DZ", &["Africa/Algiers"]),
    ("TN", &["Africa/Tunis"]),
    ("JO", &["Asia/Amman"]),
    ("LB", &["Asia/Beirut"]),
    ("SY", &["Asia/Damascus"]),
    ("QA", &["Asia/Qatar"]),
    ("KW", &["Asia/Kuwait"]),
    ("FR", &["Europe/Paris"]),
    ("BE", &["Europe/Brussels"]),
    ("CH", &["Europe/Zurich"]),
    ("DE", &["Europe/Berlin"]),
    ("AT", &["Europe/Vienna"]),
    ("ES", &["Europe/Madrid", "Atlantic/Canary"]),
    (
        "MX",
        &["America/Mexico_City", "America/Tijuana", "America/Cancun"],
    ),
    ("AR", &["America/Argentina/Buenos_Aires"]),
    ("CO", &["America/Bogota"]),
    (
        "BR",
        &["America/Sao_Paulo", "America/Manaus", "America/Fortaleza"],
    ),
    ("PT", &["Europe/Lisbon", "Atlantic/Azores"]),
    ("IT", &["Europe/Rome"]),
    ("NL", &["Europe/Amsterdam"]),
    (
        "RU",
        &[
            "Europe/Moscow",
            "Asia/Yekaterinburg",
            "Asia/Novosibirsk",
            "Asia/Vladivostok",
        ],
    ),
    ("JP", &["Asia/Tokyo"]),
    ("CN", &["Asia/Shanghai"]),
    ("TW", &["Asia/Taipei"]),
    ("IL", &["Asia/Jerusalem"]),
    ("TR", &["Europe/Istanbul"]),
    ("PL", &["Europe/Warsaw"]),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_database_knows_every_usual_zone() {
        assert!(all().len() > 300, "{}", all().len());
        assert!(known("Europe/Paris") && known("UTC") && !known("Mars/Olympus"));
        for (_, zones) in REGION_ZONES {
            for zone in *zones {
                assert!(known(zone), "{zone}");
            }
        }
    }

    #[test]
    fn a_time_reads_as_the_wall_clock_of_its_zone() {
        let paris = find("Europe/Paris").expect("zone");
        let winter = time::macros::datetime!(2026-12-03 23:30 UTC);
        let (at, name) = local(&paris, winter);
        assert_eq!(
            (at.date(), at.hour(), name.as_str()),
            (time::macros::date!(2026 - 12 - 04), 0, "CET")
        );
        let summer = time::macros::datetime!(2026-07-01 12:00 UTC);
        let (at, name) = local(&paris, summer);
        assert_eq!((at.hour(), name.as_str()), (14, "CEST"));
    }

    #[test]
    fn a_language_offers_its_regions_zones_first() {
        let tags = ["fr-CA".to_owned(), "ar".to_owned()];
        let zones = usual(&tags);
        assert_eq!(zones.first(), Some(&"America/Toronto"));
        assert!(zones.contains(&"Africa/Cairo"));
        assert!(!zones.contains(&"Europe/Paris"));
        assert!(usual(&["xx-ZZ".to_owned()]).is_empty());
    }
}
