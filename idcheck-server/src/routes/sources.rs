//! What a record's `New…Url` points at, and its bytes: a `data:` URL (decoded), one of this
//! server's own uploads (read from the store, only for its uploader or an administrator), or a
//! remote URL (fetched through [`crate::fetch::Fetcher`], with its address policy).
//!
//! A remote URL that gives no bytes is answered with one message, [`NOT_FETCHED`], whatever the
//! reason (an address not allowed, a closed port, a status, a redirect, a timeout, a body over the
//! cap): the server must not tell a client what lies behind an address. The reason goes to the
//! server's log, with the URL's origin only (its path and query may carry secrets).

use idcheck_core::files::MAX_FILE_BYTES;
use idcheck_core::violation::Violation;
use reqwest::Url;

use crate::auth::roles::AuthUser;
use crate::error::ApiError;
use crate::files::{self, Image};
use crate::routes::uploads::{self, UPLOADS_PATH_PREFIX};
use crate::state::AppState;

/// The one message of a remote URL that gave no file.
pub const NOT_FETCHED: &str = "could not be fetched";

/// What a `New…Url` points at.
pub enum Source {
    Data,
    /// One of our own uploads, by stored name: resolved without an HTTP round-trip to ourselves.
    OwnUpload(String),
    Remote(Url),
}

/// Classifies `url`; `own_authorities` are the `host:port` forms under which this server is reached.
pub fn classify(
    property: &str,
    url: &str,
    own_authorities: &[String],
) -> Result<Source, Violation> {
    let trimmed = url.trim();
    if trimmed
        .get(..5)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("data:"))
    {
        return Ok(Source::Data);
    }
    let unreachable = |reason: &str| {
        let mut violation = Violation::file_unreachable(property, &files::shorten(url));
        violation.message = format!("could not be fetched: {reason}");
        violation
    };
    let parsed = Url::parse(trimmed).map_err(|_| unreachable("it is not a URL"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(unreachable("only http, https and data: URLs are accepted"));
    }
    let authority = match (parsed.host_str(), parsed.port_or_known_default()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        _ => return Err(unreachable("it names no host")),
    };
    if let Some(name) = parsed.path().strip_prefix(UPLOADS_PATH_PREFIX)
        && own_authorities
            .iter()
            .any(|own| own.eq_ignore_ascii_case(&authority))
    {
        return Ok(Source::OwnUpload(name.to_string()));
    }
    Ok(Source::Remote(parsed))
}

/// A file had for a `New…Url`.
pub struct Resolved {
    pub image: Image,
    /// The upload it came from, deleted once the record that copied it is stored.
    pub upload: Option<String>,
}

/// The checked bytes `url` (given for `property`) points at, or the violation naming `property`.
/// An `Err` is a failure of the server itself (the database).
pub async fn resolve(
    state: &AppState,
    user: &AuthUser,
    own_authorities: &[String],
    property: &str,
    url: &str,
) -> Result<Result<Resolved, Violation>, ApiError> {
    let source = match classify(property, url, own_authorities) {
        Ok(source) => source,
        Err(violation) => return Ok(Err(violation)),
    };
    Ok(match source {
        Source::Data => files::from_data_url(property, url).map(|image| Resolved {
            image,
            upload: None,
        }),
        Source::Remote(parsed) => fetch_remote(state, property, url, &parsed)
            .await
            .map(|image| Resolved {
                image,
                upload: None,
            }),
        Source::OwnUpload(name) => {
            own_upload(state, user, property, &name, url)
                .await?
                .map(|image| Resolved {
                    image,
                    upload: Some(name),
                })
        }
    })
}

async fn fetch_remote(
    state: &AppState,
    property: &str,
    url: &str,
    parsed: &Url,
) -> Result<Image, Violation> {
    match state.fetcher.fetch(parsed, MAX_FILE_BYTES).await {
        Ok(bytes) => files::check(property, bytes, url),
        Err(failed) => {
            eprintln!(
                "idcheck-server: {property} at {} was not fetched: {failed}{}",
                parsed.origin().ascii_serialization(),
                if state.fetcher.policy() == crate::fetch::AddressPolicy::PublicOnly {
                    " (local development: --allow-private-fetch lets it reach loopback)"
                } else {
                    ""
                }
            );
            let mut violation = Violation::file_unreachable(property, &files::shorten(url));
            violation.message = NOT_FETCHED.into();
            Err(violation)
        }
    }
}

/// The bytes of our own upload `name`. Another user's upload is treated as unknown: uploads are
/// identity documents, and the URL alone must not hand them to anyone else. The file is read
/// outside the database lock.
async fn own_upload(
    state: &AppState,
    user: &AuthUser,
    property: &str,
    name: &str,
    url: &str,
) -> Result<Result<Image, Violation>, ApiError> {
    let bytes = match uploads::upload_bytes(state, user, name).await? {
        Some(bytes) => bytes,
        None => {
            let mut violation = Violation::file_unreachable(property, &files::shorten(url));
            violation.message = "could not be fetched: there is no such upload".into();
            return Ok(Err(violation));
        }
    };
    Ok(files::check(property, bytes, url))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_data_own_and_remote_urls() {
        let own = vec!["127.0.0.1:8080".to_string()];
        assert!(matches!(
            classify("NewPhotoUrl", "data:image/png;base64,AA", &own),
            Ok(Source::Data)
        ));
        match classify(
            "NewPhotoUrl",
            "http://127.0.0.1:8080/api/uploads/abc.png",
            &own,
        ) {
            Ok(Source::OwnUpload(name)) => assert_eq!(name, "abc.png"),
            _ => panic!("expected our own upload"),
        }
        assert!(matches!(
            classify(
                "NewPhotoUrl",
                "http://127.0.0.1:9999/api/uploads/abc.png",
                &own
            ),
            Ok(Source::Remote(_))
        ));
        let refused = classify("NewDocumentUrl", "ftp://example.com/a.png", &own)
            .err()
            .unwrap();
        assert_eq!(refused.property, "NewDocumentUrl");
        assert!(classify("NewDocumentUrl", "not a url", &own).is_err());
    }
}
