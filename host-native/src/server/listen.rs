//! The connection side of `serve`: the accept loop, how long the server
//! waits for a client, and the graceful stop.
//!
//! `axum::serve` sets no timer on hyper, so hyper's header-read timeout never
//! runs there: a client that opens a connection and sends half a request
//! head (or nothing) holds a connection and a task for ever, and a graceful
//! stop waits for it for ever too. This loop is `axum::serve`'s, with a
//! timer: a request head must arrive within [`Timeouts::header_read`] (an
//! idle keep-alive connection is closed after it too), and a stop waits at
//! most [`Timeouts::shutdown_grace`] for requests in flight. Request BODIES
//! are timed where they are read (`api::read_body`), per route, so an
//! oversize or late body gets the API's JSON answer.

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::time::Duration;
use tokio::net::TcpListener;

/// How long the server waits for a client. The defaults
/// ([`Timeouts::default`]) are documented in `docs/server.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// The request line and headers must have arrived this long after the
    /// server started waiting for them; else the connection is closed
    /// (hyper's own rule: no answer is sent). Also closes a keep-alive
    /// connection left idle this long.
    pub header_read: Duration,
    /// Longest pause in a request body: no byte for this long and the
    /// request is answered `408 request_timeout`.
    pub body_idle: Duration,
    /// A whole JSON body (at most 1 MiB) must have arrived within this,
    /// however it trickles.
    pub json_body: Duration,
    /// A whole packing slip (at most 10 MB) must have arrived within this.
    pub slip_body: Duration,
    /// After Ctrl-C or SIGTERM, how long requests in flight may still take
    /// before their connections are dropped and the writer drains.
    pub shutdown_grace: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            header_read: Duration::from_secs(30),
            body_idle: Duration::from_secs(30),
            json_body: Duration::from_secs(60),
            // 10 MB in 10 minutes: about 140 kbit/s on average, a poor
            // mobile link; a slower upload is refused rather than held.
            slip_body: Duration::from_secs(600),
            shutdown_grace: Duration::from_secs(30),
        }
    }
}

/// Serves `router` on `listener` until `stop` resolves; then stops
/// accepting, lets every connection finish the request it is on (idle ones
/// close at once) for at most `t.shutdown_grace`, and returns. Connections
/// still open then are dropped with the runtime; a change one of them had
/// already queued is still committed by the writer (its client just gets no
/// answer, as when it disconnects).
pub async fn serve_on(
    listener: TcpListener,
    router: Router,
    t: Timeouts,
    stop: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(t.header_read);
    let graceful = GracefulShutdown::new();
    let mut stop = std::pin::pin!(stop);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => stream,
                Err(e) => {
                    accept_failed(e).await;
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(router.clone());
        let conn = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            // A client that went away or sent garbage: nothing to do.
            let _ = conn.await;
        });
    }
    drop(listener);
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(t.shutdown_grace) => {
            eprintln!(
                "stopping: requests still open after {} s are dropped",
                t.shutdown_grace.as_secs()
            );
        }
    }
    Ok(())
}

/// After a failed `accept`: a connection that failed before it was
/// accepted is nobody's business; anything else (out of file descriptors)
/// is waited out a moment rather than spun on, as `axum::serve` does.
async fn accept_failed(e: std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        e.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    eprintln!("accept failed: {e}; retrying in 1 s");
    tokio::time::sleep(Duration::from_secs(1)).await;
}
