//! Lookups by key that arrive together share one statement.
//!
//! A read's cost here is mostly its trip to the database's thread (SQLite)
//! or server (PostgreSQL), not the row: under load, a retrieve spent about
//! 17 of its 31 µs getting there and back for one primary-key lookup. So
//! lookups by key queue while one batch is out, and the next batch fetches
//! all that queued in one statement, as SQLite's writer groups commits.
//!
//! - **No waiting when idle:** a lookup that finds no batch out starts one
//!   at once. It first yields to the runtime until the requests already
//!   read from their connections have joined (twice, then while the queue
//!   grows): sqlx's thread answers a statement before the runtime polls
//!   anything else, so without the yields each request would read alone.
//!   Alone, that costs a lookup about 10 µs.
//! - **Fresh reads:** a lookup's statement starts after the lookup arrived
//!   (a batch takes its keys, then runs), so what was acknowledged before a
//!   request is seen by it.
//! - **No task of its own:** the lookup that starts a batch runs it, and
//!   hands the next batch to the first lookup waiting. One whose request
//!   goes away while it runs a batch hands it on as it is dropped; the
//!   lookups of its batch then read on their own.
//! - **Failures:** a batch reads rows; each lookup decodes its own, so a
//!   row that cannot be read fails only the lookups of its key. When a
//!   batch's statement fails, each of its lookups runs its own, so each gets
//!   its own error (or answer); except when no connection was free in time
//!   (or the pool closed): then they all get that at once.
//! - **One queue per thread:** each HTTP worker batches its own lookups, so
//!   the workers' batches run side by side.

use std::{
    collections::{HashMap, VecDeque},
    sync::{Arc, Mutex, MutexGuard, PoisonError},
    thread::ThreadId,
};

use tokio::sync::oneshot;

use super::StoreError;

/// The most times a batch's lookup yields to let others join it.
const GATHER_ROUNDS: usize = 8;

/// What a waiting lookup is told.
enum Turn<K, V> {
    /// The batch it was in found this (`None`: no row with its key).
    Found(Option<V>),
    /// It runs the next batch.
    Lead(Baton<K, V>),
    /// Its batch failed or was dropped: it reads on its own.
    Alone,
    /// Its batch found no connection free in time (`false`), or the pool
    /// closed (`true`): so would its own read, and a queue of them reading
    /// one by one would only add to the wait.
    Busy(bool),
}

struct Waiter<K, V> {
    key: K,
    answer: oneshot::Sender<Turn<K, V>>,
}

struct State<K, V> {
    waiting: VecDeque<Waiter<K, V>>,
    /// Whether a batch is out (someone holds the baton).
    running: bool,
}

type Shared<K, V> = Arc<Mutex<State<K, V>>>;

fn lock<K, V>(state: &Shared<K, V>) -> MutexGuard<'_, State<K, V>> {
    // The state is a queue and a flag, each change made in one step: a
    // panic elsewhere while it was held leaves nothing half-changed.
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The right to run the next batch: one exists while a batch is out.
/// Dropped unused (the lookup holding it went away, or it was sent to one
/// that went away before reading it), it passes to the next lookup waiting.
struct Baton<K, V> {
    state: Option<Shared<K, V>>,
}

impl<K, V> Baton<K, V> {
    /// The next batch goes to the first lookup still waiting; with none,
    /// the next lookup to come starts one.
    fn hand_on(mut self) {
        let Some(state) = self.state.take() else { return };
        let mut baton = Baton { state: Some(state) };
        loop {
            let next = {
                let Some(state) = baton.state.as_ref() else { return };
                let mut guard = lock(state);
                match guard.waiting.pop_front() {
                    Some(waiter) => waiter,
                    None => {
                        guard.running = false;
                        drop(guard);
                        baton.state = None;
                        return;
                    }
                }
            };
            match next.answer.send(Turn::Lead(baton)) {
                Ok(()) => return,
                // That lookup went away: the baton comes back.
                Err(Turn::Lead(back)) => baton = back,
                Err(_) => return,
            }
        }
    }
}

impl<K, V> Drop for Baton<K, V> {
    fn drop(&mut self) {
        if let Some(state) = self.state.take() {
            Baton { state: Some(state) }.hand_on();
        }
    }
}

/// Groups concurrent lookups of rows by key (see the module's notes).
pub(crate) struct Coalescer<K, V> {
    /// A queue per thread. Each HTTP worker runs its own runtime on its own
    /// thread, and a batch gathers the lookups of the runtime it yields to:
    /// the workers' batches run side by side, and a lookup never waits for
    /// another worker's batch (whose yields run that worker's requests).
    queues: Mutex<HashMap<ThreadId, Shared<K, V>>>,
    /// The most keys one statement carries.
    max_batch: usize,
    /// What its lookups are, in `onboarding_read_batch_lookups{lookup}`.
    name: &'static str,
}

impl<K, V> std::fmt::Debug for Coalescer<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Coalescer")
            .field("name", &self.name)
            .field("max_batch", &self.max_batch)
            .finish()
    }
}

impl<K: PartialEq + Clone, V: Clone> Coalescer<K, V> {
    pub(crate) fn new(name: &'static str, max_batch: usize) -> Self {
        Self {
            name,
            queues: Mutex::new(HashMap::new()),
            max_batch: max_batch.max(1),
        }
    }

    /// This thread's queue.
    fn queue(&self) -> Shared<K, V> {
        let mut queues = self.queues.lock().unwrap_or_else(PoisonError::into_inner);
        queues
            .entry(std::thread::current().id())
            .or_insert_with(|| {
                Arc::new(Mutex::new(State {
                    waiting: VecDeque::new(),
                    running: false,
                }))
            })
            .clone()
    }

    /// The row with `key`. `fetch` reads the rows of several distinct keys
    /// (at most the batch size) and returns those it found with their keys;
    /// `one` reads a single key, for a lookup whose batch failed.
    pub(crate) async fn get<F, Fut, O, OFut>(&self, key: K, fetch: F, one: O) -> Result<Option<V>, StoreError>
    where
        F: FnOnce(Vec<K>) -> Fut,
        Fut: Future<Output = Result<Vec<(K, V)>, StoreError>>,
        O: FnOnce(K) -> OFut,
        OFut: Future<Output = Result<Option<V>, StoreError>>,
    {
        let queue = self.queue();
        let waiting = {
            let mut state = lock(&queue);
            if state.running {
                let (answer, turn) = oneshot::channel();
                state.waiting.push_back(Waiter {
                    key: key.clone(),
                    answer,
                });
                Err(turn)
            } else {
                state.running = true;
                Ok(Baton {
                    state: Some(queue.clone()),
                })
            }
        };
        let baton = match waiting {
            Ok(baton) => baton,
            Err(turn) => match turn.await {
                Ok(Turn::Found(row)) => return Ok(row),
                Ok(Turn::Lead(baton)) => baton,
                Ok(Turn::Busy(closed)) => {
                    return Err(StoreError::Unavailable(if closed {
                        sqlx::Error::PoolClosed
                    } else {
                        sqlx::Error::PoolTimedOut
                    }));
                }
                Ok(Turn::Alone) | Err(_) => return one(key).await,
            },
        };
        // This lookup runs a batch: its own key and those waiting. Other
        // requests already read from their connections are let in first.
        // A request needs a couple of polls to get from its connection to
        // here, and tokio runs each ready task once per round: so this
        // yields at least twice, then while the queue still grows.
        let mut seen = 0;
        for round in 0..GATHER_ROUNDS {
            tokio::task::yield_now().await;
            let waiting = lock(&queue).waiting.len();
            if waiting + 1 >= self.max_batch || (round > 0 && waiting == seen) {
                break;
            }
            seen = waiting;
        }
        let batch: Vec<Waiter<K, V>> = {
            let mut state = lock(&queue);
            let n = state.waiting.len().min(self.max_batch - 1);
            state.waiting.drain(..n).collect()
        };
        metrics::histogram!("onboarding_read_batch_lookups", "lookup" => self.name).record((batch.len() + 1) as f64);
        let mut keys = vec![key.clone()];
        for waiter in &batch {
            if !keys.contains(&waiter.key) {
                keys.push(waiter.key.clone());
            }
        }
        let fetched = fetch(keys).await;
        baton.hand_on();
        match fetched {
            Ok(rows) => {
                let find = |wanted: &K| rows.iter().find(|(k, _)| k == wanted).map(|(_, row)| row.clone());
                for waiter in batch {
                    // A lookup that went away meanwhile needs no answer.
                    let _gone = waiter.answer.send(Turn::Found(find(&waiter.key)));
                }
                Ok(find(&key))
            }
            Err(error) => {
                let busy = match &error {
                    StoreError::Unavailable(sqlx::Error::PoolTimedOut) => Some(false),
                    StoreError::Unavailable(sqlx::Error::PoolClosed) => Some(true),
                    _ => None,
                };
                for waiter in batch {
                    let _gone = waiter.answer.send(busy.map_or(Turn::Alone, Turn::Busy));
                }
                Err(error)
            }
        }
    }

    #[cfg(test)]
    fn waiting(&self) -> usize {
        lock(&self.queue()).waiting.len()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use std::{sync::Arc, time::Duration};

    use tokio::sync::Notify;

    use super::*;

    type Calls = Arc<Mutex<Vec<Vec<u32>>>>;
    type Fetched = std::pin::Pin<Box<dyn Future<Output = Result<Vec<(u32, u32)>, StoreError>> + Send>>;

    /// Rows for keys below 100 (the key times ten); each statement's keys
    /// recorded; the first statement waits for `gate` when there is one.
    fn fetcher(calls: &Calls, gate: Option<Arc<Notify>>) -> impl FnOnce(Vec<u32>) -> Fetched + use<> {
        let calls = calls.clone();
        move |keys: Vec<u32>| {
            Box::pin(async move {
                let first = {
                    let mut calls = calls.lock().unwrap();
                    calls.push(keys.clone());
                    calls.len() == 1
                };
                if let (true, Some(gate)) = (first, gate) {
                    gate.notified().await;
                }
                Ok(keys.iter().filter(|k| **k < 100).map(|k| (*k, k * 10)).collect())
            })
        }
    }

    /// A lookup that reads alone: the key times a hundred, to tell it apart.
    async fn alone(key: u32) -> Result<Option<u32>, StoreError> {
        Ok(Some(key * 100))
    }

    fn lookup(
        coalescer: &Arc<Coalescer<u32, u32>>,
        calls: &Calls,
        gate: Option<Arc<Notify>>,
        key: u32,
    ) -> tokio::task::JoinHandle<Result<Option<u32>, StoreError>> {
        let (coalescer, fetch) = (coalescer.clone(), fetcher(calls, gate));
        tokio::spawn(async move { coalescer.get(key, fetch, alone).await })
    }

    async fn settle() {
        for _ in 0..20 {
            tokio::task::yield_now().await;
        }
    }

    #[tokio::test]
    async fn a_lone_lookup_runs_at_once_as_a_batch_of_one() {
        let coalescer = Arc::new(Coalescer::new("test", 64));
        let calls = Calls::default();
        assert_eq!(lookup(&coalescer, &calls, None, 7).await.unwrap().unwrap(), Some(70));
        assert_eq!(lookup(&coalescer, &calls, None, 100).await.unwrap().unwrap(), None);
        assert_eq!(*calls.lock().unwrap(), vec![vec![7], vec![100]]);
    }

    #[tokio::test]
    async fn lookups_that_arrive_together_share_one_statement() {
        let coalescer = Arc::new(Coalescer::new("test", 64));
        let calls = Calls::default();
        // Twenty requests, two of each key, and one key with no row.
        let keys: Vec<u32> = (0..20).map(|i| if i == 19 { 500 } else { i % 10 }).collect();
        let lookups: Vec<_> = keys.iter().map(|k| lookup(&coalescer, &calls, None, *k)).collect();
        for (key, handle) in keys.iter().zip(lookups) {
            let expected = (*key < 100).then_some(key * 10);
            assert_eq!(handle.await.unwrap().unwrap(), expected, "key {key}");
        }
        let calls = calls.lock().unwrap();
        assert_eq!(calls.len(), 1, "one statement: {calls:?}");
        let mut distinct = calls[0].clone();
        distinct.sort_unstable();
        assert_eq!(distinct, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 500], "each key once");
    }

    #[tokio::test]
    async fn a_batch_carries_at_most_its_size_and_the_rest_follow() {
        let coalescer = Arc::new(Coalescer::new("test", 4));
        let calls = Calls::default();
        let lookups: Vec<_> = (0..10).map(|k| lookup(&coalescer, &calls, None, k)).collect();
        for (key, handle) in (0..10).zip(lookups) {
            assert_eq!(handle.await.unwrap().unwrap(), Some(key * 10));
        }
        let calls = calls.lock().unwrap();
        assert!(calls.iter().all(|keys| keys.len() <= 4), "{calls:?}");
        assert_eq!(calls.iter().map(Vec::len).sum::<usize>(), 10, "{calls:?}");
    }

    /// What was acknowledged before a request is seen by it: a lookup that
    /// arrives while a batch's statement runs is not answered by it.
    #[tokio::test]
    async fn a_lookup_arriving_while_a_batch_runs_waits_for_the_next() {
        let coalescer = Arc::new(Coalescer::new("test", 64));
        let calls = Calls::default();
        let gate = Arc::new(Notify::new());
        let first = lookup(&coalescer, &calls, Some(gate.clone()), 1);
        settle().await;
        assert_eq!(calls.lock().unwrap().len(), 1, "the first batch is out");
        let second = lookup(&coalescer, &calls, Some(gate.clone()), 2);
        settle().await;
        assert_eq!(coalescer.waiting(), 1, "the second waits");
        gate.notify_one();
        assert_eq!(first.await.unwrap().unwrap(), Some(10));
        assert_eq!(second.await.unwrap().unwrap(), Some(20));
        assert_eq!(*calls.lock().unwrap(), vec![vec![1], vec![2]]);
    }

    #[tokio::test]
    async fn the_lookups_of_a_failed_batch_read_alone() {
        let coalescer: Arc<Coalescer<u32, u32>> = Arc::new(Coalescer::new("test", 64));
        let failing = |_keys: Vec<u32>| async { Err(StoreError::Corrupt("the batch failed".to_owned())) };
        let lookups: Vec<_> = (1..=5)
            .map(|k| {
                let coalescer = coalescer.clone();
                tokio::spawn(async move { coalescer.get(k, failing, alone).await })
            })
            .collect();
        let mut failed = 0;
        for (key, handle) in (1..=5).zip(lookups) {
            match handle.await.unwrap() {
                Ok(found) => assert_eq!(found, Some(key * 100), "key {key} read alone"),
                Err(StoreError::Corrupt(_)) => failed += 1,
                Err(other) => panic!("{other}"),
            }
        }
        assert_eq!(failed, 1, "only the batch's own lookup gets its error");
    }

    /// A batch that found no connection free in time: its lookups are told
    /// so at once instead of each waiting for a connection in turn.
    #[tokio::test]
    async fn the_lookups_of_a_batch_without_a_connection_are_told_so() {
        let coalescer: Arc<Coalescer<u32, u32>> = Arc::new(Coalescer::new("test", 64));
        let timing_out = |_keys: Vec<u32>| async { Err(StoreError::Unavailable(sqlx::Error::PoolTimedOut)) };
        let lookups: Vec<_> = (1..=5)
            .map(|k| {
                let coalescer = coalescer.clone();
                tokio::spawn(async move { coalescer.get(k, timing_out, alone).await })
            })
            .collect();
        for (key, handle) in (1..=5).zip(lookups) {
            match handle.await.unwrap() {
                Err(StoreError::Unavailable(sqlx::Error::PoolTimedOut)) => {}
                other => panic!("key {key}: {other:?}"),
            }
        }
    }

    /// The next batch, sent to a lookup that goes away before it reads it,
    /// is dropped inside the channel: it passes on to the next lookup, and
    /// with none left, the next lookup to come starts a batch.
    #[test]
    fn a_batch_left_unread_in_a_channel_passes_on() {
        let state: Shared<u32, u32> = Arc::new(Mutex::new(State {
            waiting: VecDeque::new(),
            running: true,
        }));
        let (first, first_turn) = oneshot::channel();
        let (second, mut second_turn) = oneshot::channel();
        lock(&state)
            .waiting
            .extend([Waiter { key: 1, answer: first }, Waiter { key: 2, answer: second }]);
        Baton {
            state: Some(state.clone()),
        }
        .hand_on();
        assert!(second_turn.try_recv().is_err(), "the first lookup has it");
        drop(first_turn);
        match second_turn.try_recv() {
            Ok(Turn::Lead(baton)) => {
                assert!(lock(&state).running, "a batch is still out");
                drop(baton);
            }
            _ => panic!("the batch did not pass on"),
        }
        assert!(!lock(&state).running, "with no lookup left, none is out");
    }

    /// Each thread has its own queue: a lookup on one runtime does not wait
    /// for a batch out on another (whose yields run that runtime's requests).
    #[test]
    fn a_lookup_does_not_wait_for_another_thread_s_batch() {
        fn runtime() -> tokio::runtime::Runtime {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
        }
        let coalescer = Arc::new(Coalescer::new("test", 64));
        let calls = Calls::default();
        let gate = Arc::new(Notify::new());
        let held = {
            let (coalescer, fetch) = (coalescer.clone(), fetcher(&calls, Some(gate.clone())));
            std::thread::spawn(move || runtime().block_on(coalescer.get(1, fetch, alone)))
        };
        let out = std::time::Instant::now();
        while calls.lock().unwrap().is_empty() {
            assert!(out.elapsed() < Duration::from_secs(5), "the first batch never started");
            std::thread::sleep(Duration::from_millis(1));
        }
        let other = {
            let (coalescer, fetch) = (coalescer.clone(), fetcher(&calls, None));
            std::thread::spawn(move || {
                runtime().block_on(async {
                    tokio::time::timeout(Duration::from_secs(2), coalescer.get(2, fetch, alone)).await
                })
            })
        };
        let other = other.join().unwrap();
        gate.notify_one();
        assert_eq!(held.join().unwrap().unwrap(), Some(10));
        assert_eq!(
            other
                .expect("the other thread's lookup waited for the held batch")
                .unwrap(),
            Some(20)
        );
    }

    /// A request that goes away while its lookup runs a batch: the batch's
    /// other lookups read alone, and the next lookups still get a batch.
    #[tokio::test]
    async fn a_batch_dropped_half_way_hands_on() {
        let coalescer = Arc::new(Coalescer::new("test", 64));
        let calls = Calls::default();
        let gate = Arc::new(Notify::new());
        let leader = lookup(&coalescer, &calls, Some(gate.clone()), 1);
        let joined: Vec<_> = (2..=3).map(|k| lookup(&coalescer, &calls, None, k)).collect();
        settle().await;
        assert_eq!(*calls.lock().unwrap(), vec![vec![1, 2, 3]], "one batch is out");
        leader.abort();
        assert!(leader.await.unwrap_err().is_cancelled());
        for (key, handle) in (2..=3).zip(joined) {
            assert_eq!(handle.await.unwrap().unwrap(), Some(key * 100), "key {key} read alone");
        }
        let next = tokio::time::timeout(Duration::from_secs(5), lookup(&coalescer, &calls, None, 4)).await;
        assert_eq!(next.expect("no batch left running").unwrap().unwrap(), Some(40));
    }

    /// The next batch handed to a lookup whose request went away, before
    /// the hand-over or after it (while it gathers, before its statement),
    /// passes on to the next one waiting. (A batch sent but never read is
    /// `a_batch_left_unread_in_a_channel_passes_on`.)
    #[tokio::test]
    async fn a_batch_handed_to_a_lookup_gone_passes_on() {
        let coalescer = Arc::new(Coalescer::new("test", 64));
        let calls = Calls::default();
        let gate = Arc::new(Notify::new());
        let leader = lookup(&coalescer, &calls, Some(gate.clone()), 1);
        settle().await;
        // Gone before the hand-over.
        let gone_before = lookup(&coalescer, &calls, None, 2);
        // Gone after it: handed the batch, then cancelled while it gathers.
        let gone_after = lookup(&coalescer, &calls, None, 3);
        let last = lookup(&coalescer, &calls, None, 4);
        settle().await;
        assert_eq!(coalescer.waiting(), 3);
        gone_before.abort();
        assert!(gone_before.await.unwrap_err().is_cancelled());
        gate.notify_one();
        // The leader ends its batch and hands the next to `gone_after`,
        // which takes it and yields to gather; it is cancelled there.
        assert_eq!(leader.await.unwrap().unwrap(), Some(10));
        gone_after.abort();
        assert!(
            gone_after.await.unwrap_err().is_cancelled(),
            "cancelled while holding the batch, before its statement"
        );
        let last = tokio::time::timeout(Duration::from_secs(5), last).await;
        assert_eq!(last.expect("the batch was lost").unwrap().unwrap(), Some(40));
        assert_eq!(*calls.lock().unwrap(), vec![vec![1], vec![4]]);
    }
}
