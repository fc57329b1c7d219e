//! A bound on how much expensive work runs at once (password hashes, image decodes): a
//! counting semaphore for the blocking threads. Work waits for a free slot, up to a limit, and
//! is refused after it, so a flood queues briefly and then gets "busy" instead of taking every
//! core and much memory.

use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

pub struct Slots {
    max: usize,
    taken: Mutex<usize>,
    freed: Condvar,
}

/// No slot came free in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy;

impl Slots {
    pub const fn new(max: usize) -> Slots {
        Slots { max, taken: Mutex::new(0), freed: Condvar::new() }
    }

    /// Runs `f` in a slot, waiting at most `wait` for one.
    pub fn run<T>(&self, wait: Duration, f: impl FnOnce() -> T) -> Result<T, Busy> {
        let deadline = Instant::now() + wait;
        {
            let mut taken = self.taken.lock().unwrap_or_else(|p| p.into_inner());
            while *taken >= self.max {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(Busy);
                }
                taken = self.freed.wait_timeout(taken, left).unwrap_or_else(|p| p.into_inner()).0;
            }
            *taken += 1;
        }
        struct Release<'a>(&'a Slots);
        impl Drop for Release<'_> {
            fn drop(&mut self) {
                let mut taken = self.0.taken.lock().unwrap_or_else(|p| p.into_inner());
                *taken = taken.saturating_sub(1);
                self.0.freed.notify_one();
            }
        }
        let _release = Release(self);
        Ok(f())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn at_most_max_at_once_and_busy_after_the_wait() {
        static SLOTS: Slots = Slots::new(2);
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..6)
            .map(|_| {
                let (running, most) = (running.clone(), most.clone());
                std::thread::spawn(move || {
                    SLOTS
                        .run(Duration::from_secs(10), || {
                            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                            most.fetch_max(now, Ordering::SeqCst);
                            std::thread::sleep(Duration::from_millis(30));
                            running.fetch_sub(1, Ordering::SeqCst);
                        })
                        .unwrap();
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(most.load(Ordering::SeqCst), 2);
        let one = Arc::new(Slots::new(1));
        let held = one.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        let holder = std::thread::spawn(move || held.run(Duration::from_secs(1), || rx.recv().unwrap()).unwrap());
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(one.run(Duration::from_millis(20), || ()), Err(Busy));
        tx.send(()).unwrap();
        holder.join().unwrap();
    }
}
