//! nginx in front of the servers, set up from the README's own configuration.

use super::*;

/// The nginx configuration the README gives for several servers (an
/// `upstream` and a `server` block), as written there.
pub fn readme_nginx_conf() -> String {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let section = &readme[readme
        .find("## Scaling out")
        .expect("a Scaling out section")..];
    let block = &section[section.find("```nginx\n").expect("an nginx block") + 9..];
    block[..block.find("```").expect("the block's end")].to_owned()
}

/// nginx in front of `nodes` with the README's configuration, on a free
/// loopback port: only the `upstream`'s servers and the `listen` line are
/// put for this machine. Killed when dropped.
pub struct Nginx {
    child: Option<Child>,
    pub port: u16,
    dir: PathBuf,
}

impl Nginx {
    /// `None` (after a loud message) when nginx is missing outside CI.
    pub async fn start(nodes: &[Node]) -> Option<Nginx> {
        let Some(bin) = find_tool("NGINX", "/usr/sbin/nginx", &["nginx"]) else {
            missing("the load-balancer test needs nginx (apt-get install nginx)");
            return None;
        };
        let port = free_port();
        let dir = fresh_dir("nginx");
        let site = readme_nginx_conf();
        let upstream: Vec<&str> = site
            .lines()
            .filter(|l| l.trim_start().starts_with("server 127.0.0.1:"))
            .collect();
        assert_eq!(upstream.len(), 2, "two servers in the README's upstream");
        let servers: String = nodes
            .iter()
            .map(|n| format!("    server {};\n", n.addr))
            .collect();
        let site = site
            .replacen(&format!("{}\n", upstream[0]), &servers, 1)
            .replacen(&format!("{}\n", upstream[1]), "", 1)
            .replacen("listen 80;", &format!("listen 127.0.0.1:{port};"), 1);
        assert!(
            site.contains(&format!("listen 127.0.0.1:{port};")),
            "{site}"
        );
        let d = dir.display();
        let conf = format!(
            "daemon off;\nmaster_process off;\nworker_processes 1;\npid {d}/nginx.pid;\n\
             error_log {d}/error.log info;\nevents {{ worker_connections 512; }}\n\
             http {{\n\
             log_format upstream '$upstream_addr $request $status';\n\
             access_log {d}/access.log upstream;\n\
             client_body_temp_path {d}/body;\nproxy_temp_path {d}/proxy;\n\
             fastcgi_temp_path {d}/fastcgi;\nuwsgi_temp_path {d}/uwsgi;\nscgi_temp_path {d}/scgi;\n\
             {site}}}\n"
        );
        std::fs::write(dir.join("nginx.conf"), conf).expect("nginx.conf");
        let child = Command::new(bin)
            .arg("-e")
            .arg(dir.join("error.log"))
            .arg("-p")
            .arg(&dir)
            .arg("-c")
            .arg(dir.join("nginx.conf"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start nginx");
        let mut nginx = Nginx {
            child: Some(child),
            port,
            dir,
        };
        let deadline = Instant::now() + START;
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            let exited = nginx.child.as_mut().map(Child::try_wait);
            if let Some(Ok(Some(status))) = exited {
                panic!("nginx exited ({status}):\n{}", nginx.error_log());
            }
            assert!(
                Instant::now() < deadline,
                "nginx did not listen:\n{}",
                nginx.error_log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Some(nginx)
    }

    /// One line per request: the server it went to, the request, the status.
    pub fn access_log(&self) -> String {
        std::fs::read_to_string(self.dir.join("access.log")).unwrap_or_default()
    }

    fn error_log(&self) -> String {
        tail(&self.dir.join("error.log"))
    }
}

impl Site for Nginx {
    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{}", self.port, path)
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        end(&mut self.child);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
