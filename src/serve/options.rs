//! How connections are served: the flags that shape the accept loop, and the
//! TLS acceptor built from a certificate and key.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use ipnet::IpNet;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::config::Config;

/// How connections are served.
#[derive(Clone)]
pub struct Options {
    /// Time to send a request's headers (and finish a TLS handshake); also
    /// how long a connection may stay idle.
    pub header_timeout: Duration,
    /// HTTPS when present.
    pub tls: Option<TlsAcceptor>,
    /// Most connections open at once from one client address (an IPv6 /64).
    pub max_address_connections: usize,
    /// Peers that are not counted: reverse proxies carry many people.
    pub trusted_proxies: Vec<IpNet>,
}

impl Options {
    /// Options from the flags; reads the certificate and key when given.
    pub fn from_config(config: &Config) -> Result<Self, String> {
        let tls = match (&config.tls_cert, &config.tls_key) {
            (Some(cert), Some(key)) => Some(tls_acceptor(cert, key)?),
            (Some(_), None) => return Err("--tls-cert needs --tls-key".to_owned()),
            (None, Some(_)) => return Err("--tls-key needs --tls-cert".to_owned()),
            (None, None) => None,
        };
        Ok(Self {
            header_timeout: config.header_timeout(),
            tls,
            max_address_connections: config.max_address_connections,
            trusted_proxies: config.trusted_proxies.clone(),
        })
    }
}

/// A TLS acceptor offering HTTP/2 and HTTP/1.1 (ALPN) with this certificate
/// chain and key, both PEM files.
pub fn tls_acceptor(cert: &Path, key: &Path) -> Result<TlsAcceptor, String> {
    let chain = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|why| format!("--tls-cert {}: {why}", cert.display()))?;
    if chain.is_empty() {
        return Err(format!(
            "--tls-cert {}: no certificate in it",
            cert.display()
        ));
    }
    let private = PrivateKeyDer::from_pem_file(key)
        .map_err(|why| format!("--tls-key {}: {why}", key.display()))?;
    let mut server = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|why| format!("TLS: {why}"))?
    .with_no_client_auth()
    .with_single_cert(chain, private)
    .map_err(|why| format!("--tls-key {}: {why}", key.display()))?;
    server.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(server)))
}
