//! Responses written a step at a time (the exports and the Data Package): a producer
//! gives the next chunk of bytes until it has none, and a task sends each into the
//! response as it comes, so a file of any size is never held in memory. At most two
//! run at once; a third is asked to try again (503).

use std::future::Future;

use axum::body::Body;
use tokio::sync::{Semaphore, SemaphorePermit};

use crate::error::{Error, Result};

/// How many streamed responses may run at once.
const AT_ONCE: usize = 2;

/// How long a client may take to accept the next chunk before the response is ended: a
/// reader that stops reading must not hold one of the places for ever.
const SEND_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

static RUNNING: Semaphore = Semaphore::const_new(AT_ONCE);

/// A place among the running streams, or a 503.
pub fn permit() -> Result<SemaphorePermit<'static>> {
    RUNNING
        .try_acquire()
        .map_err(|_| Error::Busy("other exports are running".to_owned()))
}

/// Gives a response's bytes a chunk at a time.
pub trait Producer: Send + 'static {
    /// The next chunk (possibly empty), or `None` when the response is complete.
    fn next(&mut self) -> impl Future<Output = std::io::Result<Option<Vec<u8>>>> + Send;
}

/// The body that `producer` writes, holding `permit` until it is done. A failure midway
/// ends the body early (the client sees a cut transfer, not a complete-looking file) and
/// is logged; a client that goes away, or reads nothing for 30 seconds, stops the
/// producer and frees its place.
pub fn stream(permit: SemaphorePermit<'static>, mut producer: impl Producer) -> Body {
    let (sender, receiver) = tokio::sync::mpsc::channel(4);
    tokio::spawn(async move {
        loop {
            match producer.next().await {
                Ok(Some(bytes)) if bytes.is_empty() => {}
                Ok(Some(bytes)) => match tokio::time::timeout(SEND_TIMEOUT, sender.send(Ok(bytes))).await {
                    Ok(Ok(())) => {}
                    // The client went away.
                    Ok(Err(_)) => break,
                    Err(_) => {
                        tracing::warn!("an export stopped: the client read nothing for 30 s");
                        break;
                    }
                },
                Ok(None) => break,
                Err(e) => {
                    tracing::error!(error = %e, "an export stopped");
                    let _ = sender.send(Err(e)).await;
                    break;
                }
            }
        }
        drop(permit);
    });
    Body::from_stream(tokio_stream::wrappers::ReceiverStream::new(receiver))
}
