//! Who is asking. In production an Application Load Balancer authenticates the user with the
//! customer's identity provider and passes the result in the `x-amzn-oidc-data` header: a JWT
//! signed with ES256 by the load balancer. Its signature is checked with the load balancer's
//! public key (fetched by key id from `[console] key_url`, then cached), its signer against
//! `[console] alb_arn`, and its expiry against the clock; only then is the user taken from it.
//! `--dev-user` stands in for all this on a loopback address.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ring::signature::{ECDSA_P256_SHA256_FIXED, UnparsedPublicKey};
use serde_json::Value;

/// The header the load balancer puts the user's claims in.
pub const TOKEN_HEADER: &str = "x-amzn-oidc-data";

/// The DER prefix of a P-256 public key in SubjectPublicKeyInfo form: the uncompressed point
/// (65 bytes) follows it.
const P256_SPKI_PREFIX: [u8; 26] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03,
    0x01, 0x07, 0x03, 0x42, 0x00,
];

/// Keys kept in the cache; a full cache starts again (load balancers rotate keys rarely).
const CACHED_KEYS: usize = 32;

/// A signed-in user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    /// E-mail address (lower case).
    pub email: String,
    /// Groups from the identity provider.
    pub groups: Vec<String>,
}

/// Why a request has no user.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// No token in the request.
    #[error("no sign-in token: open the console through its load balancer")]
    NoToken,
    /// The token is not a well-formed ES256 JWT of the load balancer.
    #[error("the sign-in token is malformed: {0}")]
    Malformed(&'static str),
    /// Signed by another load balancer than the configured one.
    #[error("the sign-in token was issued by another load balancer")]
    WrongSigner,
    /// The signature does not match the load balancer's key.
    #[error("the sign-in token's signature is not valid")]
    BadSignature,
    /// The identity provider says the e-mail address is not verified.
    #[error("the identity provider has not verified this e-mail address")]
    Unverified,
    /// The token has expired.
    #[error("the sign-in token has expired: sign in again")]
    Expired,
    /// The key could not be fetched.
    #[error("the load balancer's public key is unavailable: {0}")]
    KeyUnavailable(String),
}

/// Checks the load balancer's tokens.
pub struct AlbVerifier {
    key_url: String,
    region: String,
    signer: String,
    groups_claim: String,
    keys: Mutex<HashMap<String, Arc<Vec<u8>>>>,
    http: reqwest::Client,
}

impl AlbVerifier {
    /// A verifier for keys at `key_url` (`{region}` and `{kid}` filled in).
    pub fn new(key_url: &str, region: &str, signer: String, groups_claim: &str) -> Self {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap_or_default();
        Self {
            key_url: key_url.to_owned(),
            region: region.to_owned(),
            signer,
            groups_claim: groups_claim.to_owned(),
            keys: Mutex::new(HashMap::new()),
            http,
        }
    }

    /// The user of a token, if its signature, signer and expiry hold at `now` (Unix seconds).
    pub async fn verify(&self, token: &str, now: i64) -> Result<User, Refusal> {
        let parts: Vec<&str> = token.trim().split('.').collect();
        let [header_text, payload_text, signature_text] = parts[..] else {
            return Err(Refusal::Malformed("not three dot-separated parts"));
        };
        let header = json_part(header_text)?;
        if header["alg"] != "ES256" {
            return Err(Refusal::Malformed("not signed with ES256"));
        }
        let kid = header["kid"].as_str().filter(|kid| is_key_id(kid)).ok_or(Refusal::Malformed("no usable key id"))?;
        if header["signer"].as_str() != Some(self.signer.as_str()) {
            return Err(Refusal::WrongSigner);
        }
        let signature = decode_part(signature_text)?;
        let key = self.key(kid).await?;
        let signed = format!("{header_text}.{payload_text}");
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, key.as_slice())
            .verify(signed.as_bytes(), &signature)
            .map_err(|_| Refusal::BadSignature)?;
        let payload = json_part(payload_text)?;
        let expiry = payload["exp"].as_i64().or_else(|| header["exp"].as_i64()).ok_or(Refusal::Malformed("no expiry"))?;
        if expiry <= now {
            return Err(Refusal::Expired);
        }
        user_of(&payload, &self.groups_claim)
    }

    /// The public key (an uncompressed P-256 point) of key id `kid`, from the cache or the URL.
    async fn key(&self, kid: &str) -> Result<Arc<Vec<u8>>, Refusal> {
        if let Some(key) = self.keys.lock().expect("not poisoned").get(kid) {
            return Ok(key.clone());
        }
        let url = self.key_url.replace("{region}", &self.region).replace("{kid}", kid);
        let pem = self.fetch(&url).await.map_err(Refusal::KeyUnavailable)?;
        let key = Arc::new(p256_point(&pem).map_err(|problem| Refusal::KeyUnavailable(format!("{url}: {problem}")))?);
        let mut keys = self.keys.lock().expect("not poisoned");
        if keys.len() >= CACHED_KEYS {
            keys.clear();
        }
        keys.insert(kid.to_owned(), key.clone());
        Ok(key)
    }

    async fn fetch(&self, url: &str) -> Result<String, String> {
        if let Some(path) = url.strip_prefix("file://") {
            return std::fs::read_to_string(path).map_err(|error| format!("{url}: {error}"));
        }
        let response = self.http.get(url).send().await.map_err(|error| format!("{url}: {error}"))?;
        if !response.status().is_success() {
            return Err(format!("{url}: HTTP {}", response.status()));
        }
        response.text().await.map_err(|error| format!("{url}: {error}"))
    }
}

/// The user of a verified payload: its `email` (unless `email_verified` says it is not
/// verified) and the groups of `groups_claim`, which must be a list of texts when present —
/// a text is refused, never split, so no group name can be made up of another's words.
fn user_of(payload: &Value, groups_claim: &str) -> Result<User, Refusal> {
    let unverified = matches!(&payload["email_verified"], Value::Bool(false))
        || payload["email_verified"].as_str().is_some_and(|text| text.trim().eq_ignore_ascii_case("false"));
    if unverified {
        return Err(Refusal::Unverified);
    }
    let email = payload["email"].as_str().map(str::trim).filter(|email| email.contains('@'));
    let email = email.ok_or(Refusal::Malformed("no e-mail claim"))?.to_lowercase();
    let groups = match &payload[groups_claim] {
        Value::Null => Vec::new(),
        Value::Array(items) => {
            let texts: Option<Vec<String>> = items.iter().map(|item| item.as_str().map(str::to_owned)).collect();
            texts.ok_or(Refusal::Malformed("the groups claim holds something other than texts"))?
        }
        _ => return Err(Refusal::Malformed("the groups claim is not a list")),
    };
    Ok(User { email, groups })
}

/// A key id the load balancer would use: letters, digits and `-` (it goes into a URL).
fn is_key_id(kid: &str) -> bool {
    !kid.is_empty() && kid.len() <= 128 && kid.bytes().all(|byte| byte.is_ascii_alphanumeric() || byte == b'-')
}

/// Decodes a token part: base64url, with or without the padding the load balancer adds.
fn decode_part(part: &str) -> Result<Vec<u8>, Refusal> {
    let normalized: String = part
        .trim_end_matches('=')
        .chars()
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            other => other,
        })
        .collect();
    URL_SAFE_NO_PAD.decode(normalized).map_err(|_| Refusal::Malformed("not base64url"))
}

fn json_part(part: &str) -> Result<Value, Refusal> {
    let value: Value = serde_json::from_slice(&decode_part(part)?).map_err(|_| Refusal::Malformed("not JSON"))?;
    if value.is_object() { Ok(value) } else { Err(Refusal::Malformed("not a JSON object")) }
}

/// The uncompressed point of a PEM `PUBLIC KEY` on the P-256 curve.
pub fn p256_point(pem: &str) -> Result<Vec<u8>, String> {
    let body: String = pem
        .lines()
        .map(str::trim)
        .skip_while(|line| !line.starts_with("-----BEGIN PUBLIC KEY-----"))
        .skip(1)
        .take_while(|line| !line.starts_with("-----END"))
        .collect();
    let der = STANDARD.decode(body).map_err(|_| "not a PEM public key".to_owned())?;
    match der.strip_prefix(&P256_SPKI_PREFIX[..]) {
        Some(point) if point.len() == 65 && point[0] == 4 => Ok(point.to_vec()),
        _ => Err("not a P-256 public key".to_owned()),
    }
}

/// A PEM `PUBLIC KEY` of an uncompressed P-256 point (a test load balancer's key file).
#[cfg(test)]
pub fn p256_pem(point: &[u8]) -> String {
    let der: Vec<u8> = P256_SPKI_PREFIX.iter().chain(point).copied().collect();
    format!("-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n", STANDARD.encode(der))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::rand::SystemRandom;
    use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};

    struct TestAlb {
        pair: EcdsaKeyPair,
        folder: tempfile::TempDir,
    }

    impl TestAlb {
        fn new() -> Self {
            let random = SystemRandom::new();
            let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &random).unwrap();
            let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &random).unwrap();
            let folder = tempfile::tempdir().unwrap();
            std::fs::write(folder.path().join("key-1"), p256_pem(pair.public_key().as_ref())).unwrap();
            Self { pair, folder }
        }

        fn verifier(&self) -> AlbVerifier {
            let url = format!("file://{}/{{kid}}", self.folder.path().display());
            AlbVerifier::new(&url, "eu-west-1", "arn:alb/1".into(), "groups")
        }

        /// A token as the load balancer makes it: base64url with padding.
        fn token(&self, header: Value, payload: Value) -> String {
            let encode = |value: &Value| {
                let text = URL_SAFE_NO_PAD.encode(value.to_string());
                let padding = (4 - text.len() % 4) % 4;
                format!("{text}{}", "=".repeat(padding))
            };
            let signed = format!("{}.{}", encode(&header), encode(&payload));
            let signature = self.pair.sign(&SystemRandom::new(), signed.as_bytes()).unwrap();
            format!("{signed}.{}", URL_SAFE_NO_PAD.encode(signature.as_ref()))
        }
    }

    fn header() -> Value {
        serde_json::json!({"alg": "ES256", "kid": "key-1", "signer": "arn:alb/1", "exp": 2000})
    }

    fn run<T>(future: impl std::future::Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(future)
    }

    #[test]
    fn a_good_token_gives_its_user_and_each_fault_is_refused() {
        let alb = TestAlb::new();
        let verifier = alb.verifier();
        let payload = serde_json::json!({"email": "Dana@Example.com", "exp": 2000, "groups": ["csdm", "emea"]});
        let token = alb.token(header(), payload.clone());
        let user = run(verifier.verify(&token, 1000)).unwrap();
        assert_eq!(user, User { email: "dana@example.com".into(), groups: vec!["csdm".into(), "emea".into()] });
        assert_eq!(run(verifier.verify(&token, 2000)), Err(Refusal::Expired));
        // Eve's payload under Dana's signature.
        let eve = alb.token(header(), serde_json::json!({"email": "eve@example.com", "exp": 2000}));
        let parts: Vec<&str> = token.split('.').collect();
        let tampered = format!("{}.{}.{}", parts[0], eve.split('.').nth(1).unwrap(), parts[2]);
        assert_eq!(run(verifier.verify(&tampered, 1000)), Err(Refusal::BadSignature));
        let other = TestAlb::new().token(header(), payload.clone());
        assert_eq!(run(verifier.verify(&other, 1000)), Err(Refusal::BadSignature));
        let foreign = alb.token(serde_json::json!({"alg": "ES256", "kid": "key-1", "signer": "arn:alb/2"}), payload.clone());
        assert_eq!(run(verifier.verify(&foreign, 1000)), Err(Refusal::WrongSigner));
        let none = alb.token(serde_json::json!({"alg": "none", "kid": "key-1", "signer": "arn:alb/1"}), payload.clone());
        assert!(matches!(run(verifier.verify(&none, 1000)), Err(Refusal::Malformed(_))));
        let escape = alb.token(serde_json::json!({"alg": "ES256", "kid": "../key-1", "signer": "arn:alb/1"}), payload);
        assert!(matches!(run(verifier.verify(&escape, 1000)), Err(Refusal::Malformed(_))));
        let unknown =
            alb.token(serde_json::json!({"alg": "ES256", "kid": "key-2", "signer": "arn:alb/1"}), serde_json::json!({}));
        assert!(matches!(run(verifier.verify(&unknown, 1000)), Err(Refusal::KeyUnavailable(_))));
        assert!(matches!(run(verifier.verify("a.b", 1000)), Err(Refusal::Malformed(_))));
    }

    #[test]
    fn an_unverified_address_and_groups_as_text_are_refused() {
        let alb = TestAlb::new();
        let verifier = alb.verifier();
        let verify = |payload: Value| run(verifier.verify(&alb.token(header(), payload), 1000));
        let unverified = serde_json::json!({"email": "dana@example.com", "exp": 2000, "email_verified": false});
        assert_eq!(verify(unverified), Err(Refusal::Unverified));
        let unverified = serde_json::json!({"email": "dana@example.com", "exp": 2000, "email_verified": "false"});
        assert_eq!(verify(unverified), Err(Refusal::Unverified));
        let verified = serde_json::json!({"email": "dana@example.com", "exp": 2000, "email_verified": true});
        assert!(verify(verified).is_ok());
        let text = serde_json::json!({"email": "dana@example.com", "exp": 2000, "groups": "csdm admins"});
        assert_eq!(verify(text), Err(Refusal::Malformed("the groups claim is not a list")));
        let mixed = serde_json::json!({"email": "dana@example.com", "exp": 2000, "groups": ["csdm", 7]});
        assert!(matches!(verify(mixed), Err(Refusal::Malformed(_))));
        let none = serde_json::json!({"email": "dana@example.com", "exp": 2000});
        assert_eq!(verify(none).unwrap().groups, Vec::<String>::new());
    }

    #[test]
    fn keys_round_trip_through_pem() {
        let point = [4u8; 65];
        assert_eq!(p256_point(&p256_pem(&point)).unwrap(), point.to_vec());
        assert!(p256_point("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----").is_err());
    }
}
