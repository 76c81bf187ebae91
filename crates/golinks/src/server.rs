//! The HTTP workers: one single-threaded runtime per core, each accepting on its own
//! `SO_REUSEPORT` socket, so the kernel spreads connections and a request never wakes another
//! thread (the nginx model; a shared work-stealing pool cost a third of the redirect
//! throughput in futex wake-ups, see docs/benchmarks.md).

use std::net::SocketAddr;
use std::thread::JoinHandle;

use anyhow::Context;
use axum::serve::ListenerExt;
use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::{oneshot, watch};

use crate::http::MakeFront;

/// Sockets bound and listening, not yet served.
pub struct Listeners {
    pub addr: SocketAddr,
    sockets: Vec<std::net::TcpListener>,
}

/// Binds `workers` sockets to `listen`. The port is first bound alone, without
/// `SO_REUSEPORT`, so that a port taken by anything — another golinks included — is an error
/// rather than shared.
pub async fn bind(listen: &str, workers: usize) -> anyhow::Result<Listeners> {
    let in_use = || format!("cannot listen on {listen} (is another server using that port?)");
    let addr = tokio::net::lookup_host(listen)
        .await
        .with_context(|| format!("cannot resolve the listen address {listen:?}"))?
        .next()
        .with_context(|| format!("the listen address {listen:?} resolves to nothing"))?;
    let probe = std::net::TcpListener::bind(addr).with_context(in_use)?;
    let addr = probe.local_addr()?;
    drop(probe);
    let workers = if cfg!(target_os = "linux") {
        workers.max(1)
    } else {
        1
    };
    let mut sockets = Vec::with_capacity(workers);
    for _ in 0..workers {
        let socket = if addr.is_ipv4() {
            TcpSocket::new_v4()?
        } else {
            TcpSocket::new_v6()?
        };
        socket.set_reuseaddr(true)?;
        #[cfg(target_os = "linux")]
        socket.set_reuseport(true)?;
        socket.bind(addr).with_context(in_use)?;
        sockets.push(socket.listen(1024)?.into_std()?);
    }
    Ok(Listeners { addr, sockets })
}

/// A running worker thread.
pub struct Worker {
    /// Resolves when the worker has stopped accepting and finished its requests.
    pub served: oneshot::Receiver<std::io::Result<()>>,
    /// Lets the worker's runtime end. Until then it keeps driving the database connections
    /// it opened, which the final click flush may still use.
    release: oneshot::Sender<()>,
    thread: JoinHandle<()>,
}

impl Worker {
    pub fn finish(self) {
        let _ = self.release.send(());
        let _ = self.thread.join();
    }
}

pub fn spawn(
    listeners: Listeners,
    service: MakeFront,
    stop: watch::Receiver<bool>,
) -> anyhow::Result<Vec<Worker>> {
    listeners
        .sockets
        .into_iter()
        .enumerate()
        .map(|(i, socket)| {
            let (served_tx, served) = oneshot::channel();
            let (release, released) = oneshot::channel::<()>();
            let (service, stop) = (service.clone(), stop.clone());
            let thread = std::thread::Builder::new()
                .name(format!("golinks-http-{i}"))
                .spawn(move || serve_one(socket, service, stop, served_tx, released))
                .context("cannot start an HTTP worker thread")?;
            Ok(Worker {
                served,
                release,
                thread,
            })
        })
        .collect()
}

fn serve_one(
    socket: std::net::TcpListener,
    service: MakeFront,
    mut stop: watch::Receiver<bool>,
    served: oneshot::Sender<std::io::Result<()>>,
    released: oneshot::Receiver<()>,
) {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            let _ = served.send(Err(e));
            return;
        }
    };
    runtime.block_on(async move {
        let result = match TcpListener::from_std(socket) {
            Ok(listener) => {
                // Responses are small and wanted at once: Nagle's algorithm would only delay them.
                let listener = listener.tap_io(|tcp| {
                    if let Err(e) = tcp.set_nodelay(true) {
                        tracing::debug!(error = %e, "cannot set TCP_NODELAY");
                    }
                });
                let shutdown = async move {
                    let _ = stop.wait_for(|stopped| *stopped).await;
                };
                axum::serve(listener, service)
                    .with_graceful_shutdown(shutdown)
                    .await
            }
            Err(e) => Err(e),
        };
        let _ = served.send(result);
        let _ = released.await;
    });
}
