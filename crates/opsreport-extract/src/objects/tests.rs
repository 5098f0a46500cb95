//! The store's conditions, paths and listings, the same for a folder and memory (S3 is tested
//! against a local S3 API in the console's and the sink's integration tests).

use super::*;

fn run<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(future)
}

/// What every store must do.
fn conditional_writes_and_paths(store: &Store) {
    let first = run(store.put("1/2026-10.toml", b"a = 1".to_vec(), Expect::Absent)).unwrap();
    assert!(matches!(run(store.put("1/2026-10.toml", b"b".to_vec(), Expect::Absent)), Err(StoreError::Conflict(_))));
    let read = run(store.get("1/2026-10.toml")).unwrap().unwrap();
    assert_eq!((read.bytes.as_slice(), read.version.as_str()), (&b"a = 1"[..], first.as_str()));
    let second = run(store.put("1/2026-10.toml", b"a = 2".to_vec(), Expect::Version(first.clone()))).unwrap();
    assert!(matches!(
        run(store.put("1/2026-10.toml", b"a = 3".to_vec(), Expect::Version(first.clone()))),
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(run(store.get("1/2026-10.toml")).unwrap().unwrap().version, second);
    assert_eq!(run(store.list("1")).unwrap(), ["1/2026-10.toml"]);
    let before = run(store.listing("1")).unwrap();
    let third = run(store.put("1/2026-10.toml", b"a = 22".to_vec(), Expect::Version(second.clone()))).unwrap();
    assert_ne!(run(store.listing("1")).unwrap()[0].version, before[0].version, "a new version is listed");
    run(store.put("2/x.json", b"{}".to_vec(), Expect::Any)).unwrap();
    run(store.put("2/x.json", b"[]".to_vec(), Expect::Any)).unwrap();
    assert_eq!(run(store.folders()).unwrap(), ["1", "2"]);
    assert!(matches!(run(store.delete("1/2026-10.toml", Some(&second))), Err(StoreError::Conflict(_))));
    run(store.delete("1/2026-10.toml", Some(&third))).unwrap();
    assert!(run(store.get("1/2026-10.toml")).unwrap().is_none());
    run(store.delete("1/2026-10.toml", None)).unwrap();
    assert!(run(store.get("missing.toml")).unwrap().is_none());
    for bad in ["../x", "/etc/passwd", "1/../../x", "a\\b", ""] {
        assert!(matches!(run(store.get(bad)), Err(StoreError::BadPath(_))), "{bad}");
        assert!(matches!(run(store.put(bad, Vec::new(), Expect::Any)), Err(StoreError::BadPath(_))), "{bad}");
        assert!(matches!(run(store.delete(bad, None)), Err(StoreError::BadPath(_))), "{bad}");
    }
}

#[test]
fn folder_writes_are_conditional_and_paths_stay_inside() {
    let folder = tempfile::tempdir().unwrap();
    conditional_writes_and_paths(&Store::Folder(folder.path().to_owned()));
}

#[test]
fn memory_writes_are_conditional_as_a_folders_are() {
    let memory = MemoryObjects::new();
    conditional_writes_and_paths(&Store::Memory(memory.clone()));
    assert_eq!(memory.bytes("2/x.json").as_deref(), Some(&b"[]"[..]), "clones share the files");
}

#[test]
fn a_folder_never_deletes_through_a_link() {
    let folder = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("keep"), b"mine").unwrap();
    std::os::unix::fs::symlink(outside.path().join("keep"), folder.path().join("link")).unwrap();
    let store = Store::Folder(folder.path().to_owned());
    assert!(run(store.delete("link", None)).is_err());
    assert_eq!(std::fs::read(outside.path().join("keep")).unwrap(), b"mine");
}
