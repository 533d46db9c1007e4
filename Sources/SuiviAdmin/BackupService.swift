import Crypto
import Foundation
import SuiviApp
import SuiviStore
import SuiviBasics

/// What `MANIFEST.json` says about a backup. The restore believes none of it
/// until the files agree.
public struct BackupManifest: Codable, Sendable, Equatable {
    public static let currentFormat = "suivi-backup-1"

    public struct DatabaseFile: Codable, Sendable, Equatable {
        public var file: String
        public var size: Int
        public var sha256: String
    }

    public struct Attachment: Codable, Sendable, Equatable {
        public var sha256: String
        public var size: Int
    }

    public var format: String
    public var createdAt: String
    public var database: DatabaseFile
    public var migrations: [String]
    public var rowCounts: [String: Int]
    public var attachments: [Attachment]

    enum CodingKeys: String, CodingKey {
        case format, database, migrations, attachments
        case createdAt = "created_at"
        case rowCounts = "row_counts"
    }

    /// Records stored, for summaries.
    public var recordCount: Int { rowCounts["submissions"] ?? 0 }
    public var attachmentBytes: Int { attachments.reduce(0) { $0 + $1.size } }
}

/// `suivi backup` and `suivi restore`: a consistent copy of a running Suivi,
/// its attachment files included, and the checked way back.
///
/// A backup is a directory:
///
///     BACKUP/
///       MANIFEST.json     format, created_at, migrations, row counts,
///                         the database file's size and SHA-256,
///                         every attachment's SHA-256 and size
///       suivi.sqlite      SQLite's online backup of the live database,
///                         one self-contained file (rollback journal)
///       attachments/ab/abcd…   the files the copied records refer to,
///                         laid out as in the live attachments directory
///
/// It is written as `BACKUP.partial` and renamed to `BACKUP` only once every
/// file and directory in it is fsynced, so a directory named `BACKUP` is
/// always complete. The database is copied first, then the attachments it
/// refers to: the server writes and fsyncs an attachment before committing
/// the row that names it, and never deletes one, so every file the copy
/// names is there to copy.
public enum BackupService {
    public static let manifestFileName = "MANIFEST.json"
    public static let databaseFileName = "suivi.sqlite"
    public static let attachmentsFolderName = "attachments"
    /// The files SQLite keeps for one database: the file itself, its WAL and
    /// its shared-memory index.
    static let databaseSuffixes = ["", "-wal", "-shm"]

    public struct BackupReport: Sendable {
        public let destination: String
        public let manifest: BackupManifest
    }

    public struct RestoreReport: Sendable {
        public let databasePath: String
        public let attachmentsDirectory: String
        public let manifest: BackupManifest
        /// Where the files replaced by `--force` were kept.
        public let setAside: [String]
    }

    // MARK: Backup

    public static func backup(databasePath: String, attachmentsDirectory: String?, to destination: String,
                              now: Date = Date()) throws -> BackupReport {
        let attachmentsSource = attachmentsDirectory ?? AppConfiguration.defaultAttachmentsDirectory(for: databasePath)
        let destination = trimmingTrailingSlashes(destination)
        let partial = destination + ".partial"
        let fileManager = FileManager.default
        guard !fileManager.fileExists(atPath: destination) else {
            throw BackupFailure("La destination existe déjà : \(destination)", "destination already exists: \(destination)")
        }
        guard !fileManager.fileExists(atPath: partial) else {
            throw BackupFailure(
                "\(partial) existe : une autre sauvegarde est en cours, ou une sauvegarde interrompue l'a laissé (supprimez-le)",
                "\(partial) exists: another backup is running, or an interrupted one left it (remove it)")
        }
        guard fileManager.fileExists(atPath: databasePath) else {
            throw BackupFailure("Base introuvable : \(databasePath)", "database not found: \(databasePath)")
        }
        do {
            try Files.makeDirectory(partial)
        } catch {
            throw BackupFailure("Création de \(partial) impossible (\(error))", "cannot create \(partial) (\(error))")
        }
        do {
            let databaseCopy = "\(partial)/\(databaseFileName)"
            let contents = try DatabaseBackup.copy(databaseAt: databasePath, to: databaseCopy)
            let database = try Files.digest(databaseCopy)
            try Files.syncFile(databaseCopy)

            let attachmentsCopy = "\(partial)/\(attachmentsFolderName)"
            try Files.makeDirectory(attachmentsCopy)
            var attachments: [BackupManifest.Attachment] = []
            var folders: Set<String> = []
            for digest in contents.attachmentDigests {
                try requireDigestShape(digest)
                let source = attachmentPath(in: attachmentsSource, digest: digest)
                guard fileManager.fileExists(atPath: source) else {
                    throw BackupFailure(
                        "Pièce jointe absente de \(attachmentsSource) alors qu'une fiche y renvoie : \(digest)",
                        "attachment referenced by a record is missing from \(attachmentsSource): \(digest)")
                }
                let folder = "\(attachmentsCopy)/\(digest.prefix(2))"
                if folders.insert(folder).inserted { try Files.makeDirectory(folder) }
                let copied = try Files.copy(source, to: attachmentPath(in: attachmentsCopy, digest: digest))
                guard copied.sha256 == digest else {
                    throw BackupFailure("Pièce jointe altérée dans \(attachmentsSource) : \(digest) (SHA-256 \(copied.sha256))",
                                        "attachment in \(attachmentsSource) does not match its name: \(digest) (SHA-256 \(copied.sha256))")
                }
                attachments.append(.init(sha256: digest, size: copied.size))
            }
            for folder in folders { try Files.syncDirectory(folder) }
            try Files.syncDirectory(attachmentsCopy)

            let manifest = BackupManifest(
                format: BackupManifest.currentFormat, createdAt: Timestamp.string(now),
                database: .init(file: databaseFileName, size: database.size, sha256: database.sha256),
                migrations: contents.migrations, rowCounts: contents.rowCounts, attachments: attachments)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try Files.create(try encoder.encode(manifest), to: "\(partial)/\(manifestFileName)")
            try Files.syncDirectory(partial)
            try Files.move(partial, to: destination)
            try Files.syncDirectory(parent(of: destination))
            return BackupReport(destination: destination, manifest: manifest)
        } catch {
            try? fileManager.removeItem(atPath: partial)
            throw failure(error, "Sauvegarde impossible", "backup failed")
        }
    }

    // MARK: Verification

    /// Checks a backup end to end and returns its manifest: the database file
    /// is the one the manifest describes (size, SHA-256) and passes SQLite's
    /// integrity check; its migrations are all known to this Suivi and are
    /// the manifest's; its row counts are the manifest's; every attachment a
    /// record refers to is listed, and every listed file is there with its
    /// size and SHA-256.
    public static func verify(backupAt backup: String) throws -> BackupManifest {
        let backup = trimmingTrailingSlashes(backup)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: backup, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw BackupFailure("Sauvegarde introuvable : \(backup)", "backup not found: \(backup)")
        }
        let manifest: BackupManifest
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: "\(backup)/\(manifestFileName)"))
            manifest = try JSONDecoder().decode(BackupManifest.self, from: data)
        } catch {
            throw BackupFailure("\(manifestFileName) absent ou illisible dans \(backup) (\(error))",
                                "\(manifestFileName) missing or unreadable in \(backup) (\(error))")
        }
        guard manifest.format == BackupManifest.currentFormat else {
            throw BackupFailure("Format de sauvegarde inconnu : \(manifest.format)", "unknown backup format: \(manifest.format)")
        }
        guard manifest.database.file == databaseFileName else {
            throw BackupFailure("Le manifeste nomme une base inattendue : \(manifest.database.file)",
                                "the manifest names an unexpected database file: \(manifest.database.file)")
        }
        let databasePath = "\(backup)/\(databaseFileName)"
        let database: (size: Int, sha256: String)
        do {
            database = try Files.digest(databasePath)
        } catch {
            throw BackupFailure("Base absente ou illisible dans la sauvegarde (\(error))",
                                "the backup's database is missing or unreadable (\(error))")
        }
        guard database.size == manifest.database.size, database.sha256 == manifest.database.sha256 else {
            throw BackupFailure(
                "La base de la sauvegarde ne correspond pas au manifeste (taille ou SHA-256) : elle a été modifiée ou endommagée",
                "the backup's database does not match its manifest (size or SHA-256): it was altered or damaged")
        }
        let contents = try DatabaseBackup.inspect(copyAt: databasePath)

        let unknown = contents.migrations.filter { !DatabaseBackup.knownMigrations.contains($0) }
        guard unknown.isEmpty else {
            throw BackupFailure(
                "La sauvegarde vient d'une version plus récente de Suivi (migrations inconnues : \(unknown.joined(separator: ", ")))",
                "the backup comes from a newer Suivi (unknown migrations: \(unknown.joined(separator: ", ")))")
        }
        guard contents.migrations == manifest.migrations else {
            throw BackupFailure("Les migrations du manifeste ne sont pas celles de la base",
                                "the manifest's migrations are not the database's")
        }
        for table in Set(contents.rowCounts.keys).union(manifest.rowCounts.keys).sorted()
        where contents.rowCounts[table] != manifest.rowCounts[table] {
            let listed = manifest.rowCounts[table].map(String.init) ?? "-"
            let found = contents.rowCounts[table].map(String.init) ?? "-"
            throw BackupFailure(
                "Le nombre de lignes ne correspond pas au manifeste : table \(table), manifeste \(listed), base \(found)",
                "row counts do not match the manifest: table \(table), manifest \(listed), database \(found)")
        }

        let listed = Set(manifest.attachments.map(\.sha256))
        if let unlisted = contents.attachmentDigests.first(where: { !listed.contains($0) }) {
            throw BackupFailure("Pièce jointe absente du manifeste alors qu'une fiche y renvoie : \(unlisted)",
                                "attachment referenced by a record is not listed in the manifest: \(unlisted)")
        }
        for attachment in manifest.attachments {
            try requireDigestShape(attachment.sha256)
            let path = attachmentPath(in: "\(backup)/\(attachmentsFolderName)", digest: attachment.sha256)
            guard FileManager.default.fileExists(atPath: path) else {
                throw BackupFailure("Pièce jointe manquante dans la sauvegarde : \(attachment.sha256)",
                                    "attachment missing from the backup: \(attachment.sha256)")
            }
            let found = try Files.digest(path)
            guard found.size == attachment.size, found.sha256 == attachment.sha256 else {
                throw BackupFailure("Pièce jointe endommagée dans la sauvegarde (taille ou SHA-256) : \(attachment.sha256)",
                                    "attachment damaged in the backup (size or SHA-256 differs): \(attachment.sha256)")
            }
        }
        return manifest
    }

    // MARK: Restore

    /// Checks the backup, then installs it at `databasePath` and its
    /// attachments directory. An existing database (or non-empty attachments
    /// directory) is replaced only with `force`, and then kept beside as
    /// `….before-restore-TIMESTAMP`. Refuses while any program has the
    /// database open (see `DatabaseReplacementLock`).
    ///
    /// Files are copied to `….restoring` names first, checked against the
    /// manifest again, fsynced, and only then moved into place: attachments
    /// first, the database last, so a database at `databasePath` never
    /// refers to files that are not there yet.
    public static func restore(from backup: String, databasePath: String, attachmentsDirectory: String?,
                               force: Bool, now: Date = Date()) throws -> RestoreReport {
        let backup = trimmingTrailingSlashes(backup)
        let attachmentsTarget = trimmingTrailingSlashes(
            attachmentsDirectory ?? AppConfiguration.defaultAttachmentsDirectory(for: databasePath))
        let manifest = try verify(backupAt: backup)
        let fileManager = FileManager.default

        let databaseExists = databaseSuffixes.contains { fileManager.fileExists(atPath: databasePath + $0) }
        let attachmentsExist = hasAttachments(attachmentsTarget)
        let lock = fileManager.fileExists(atPath: databasePath)
            ? try DatabaseReplacementLock.acquire(databaseAt: databasePath) : nil
        defer { lock?.release() }
        if databaseExists && !force {
            throw BackupFailure(
                "Une base existe déjà à \(databasePath) : ajoutez --force pour la remplacer (elle sera gardée à côté)",
                "a database already exists at \(databasePath): add --force to replace it (the old one is kept beside it)")
        }
        if attachmentsExist && !force {
            throw BackupFailure(
                "Le dossier de pièces jointes \(attachmentsTarget) n'est pas vide : ajoutez --force pour le remplacer (il sera gardé à côté)",
                "the attachments directory \(attachmentsTarget) is not empty: add --force to replace it (the old one is kept beside it)")
        }

        let stagedDatabase = databasePath + ".restoring"
        let stagedAttachments = attachmentsTarget + ".restoring"
        for staged in [stagedDatabase, stagedAttachments] where fileManager.fileExists(atPath: staged) {
            throw BackupFailure("\(staged) existe : une restauration est en cours ou a été interrompue (supprimez-le)",
                                "\(staged) exists: a restore is running or was interrupted (remove it)")
        }
        var installed = false
        defer {
            if !installed {
                try? fileManager.removeItem(atPath: stagedDatabase)
                try? fileManager.removeItem(atPath: stagedAttachments)
            }
        }
        var setAside: [String] = []
        do {
            try fileManager.createDirectory(atPath: parent(of: databasePath), withIntermediateDirectories: true)
            try fileManager.createDirectory(atPath: parent(of: attachmentsTarget), withIntermediateDirectories: true)

            try Files.makeDirectory(stagedAttachments)
            var folders: Set<String> = []
            for attachment in manifest.attachments {
                let folder = "\(stagedAttachments)/\(attachment.sha256.prefix(2))"
                if folders.insert(folder).inserted { try Files.makeDirectory(folder) }
                let copied = try Files.copy(attachmentPath(in: "\(backup)/\(attachmentsFolderName)", digest: attachment.sha256),
                                            to: attachmentPath(in: stagedAttachments, digest: attachment.sha256))
                guard copied.sha256 == attachment.sha256, copied.size == attachment.size else {
                    throw BackupFailure("Pièce jointe modifiée pendant la restauration : \(attachment.sha256)",
                                        "attachment changed during the restore: \(attachment.sha256)")
                }
            }
            for folder in folders { try Files.syncDirectory(folder) }
            try Files.syncDirectory(stagedAttachments)
            let copied = try Files.copy("\(backup)/\(databaseFileName)", to: stagedDatabase)
            guard copied.sha256 == manifest.database.sha256 else {
                throw BackupFailure("Base modifiée pendant la restauration", "the backup's database changed during the restore")
            }

            // Out of the way: the old files are kept, not deleted. The lock is
            // held until they are moved, so no server opens them meanwhile.
            let stamp = unusedStamp(Self.stamp(now), databasePath: databasePath, attachmentsDirectory: attachmentsTarget)
            if let lock {
                // Under the lock the emptied WAL and the shared-memory index
                // hold nothing: the old database is then one file.
                try lock.foldWriteAheadLog()
                if (try? fileManager.attributesOfItem(atPath: databasePath + "-wal")[.size] as? NSNumber)?.intValue == 0 {
                    try fileManager.removeItem(atPath: databasePath + "-wal")
                }
                if fileManager.fileExists(atPath: databasePath + "-shm") {
                    try fileManager.removeItem(atPath: databasePath + "-shm")
                }
            }
            if attachmentsExist {
                let aside = setAsideName(attachmentsTarget, stamp: stamp)
                try Files.move(attachmentsTarget, to: aside)
                setAside.append(aside)
            } else if fileManager.fileExists(atPath: attachmentsTarget) {
                try fileManager.removeItem(atPath: attachmentsTarget)  // empty but for an empty spool
            }
            for suffix in databaseSuffixes where fileManager.fileExists(atPath: databasePath + suffix) {
                let file = databasePath + suffix
                let aside = setAsideName(databasePath, suffix: suffix, stamp: stamp)
                try Files.move(file, to: aside)
                setAside.append(aside)
            }
            lock?.release()
            try Files.move(stagedAttachments, to: attachmentsTarget)
            try Files.syncDirectory(parent(of: attachmentsTarget))
            try Files.installWithoutReplacing(stagedDatabase, at: databasePath)
            try Files.syncDirectory(parent(of: databasePath))
            installed = true
        } catch {
            let failed = failure(error, "Restauration impossible", "restore failed")
            guard !setAside.isEmpty else { throw failed }
            let kept = setAside.joined(separator: ", ")
            throw BackupFailure("\(failed.message) ; anciens fichiers gardés : \(kept)",
                                "\(failed.englishMessage); previous files kept as: \(kept)")
        }
        return RestoreReport(databasePath: databasePath, attachmentsDirectory: attachmentsTarget,
                             manifest: manifest, setAside: setAside)
    }

    // MARK: Helpers

    static func attachmentPath(in directory: String, digest: String) -> String {
        "\(directory)/\(digest.prefix(2))/\(digest)"
    }

    /// Digests become file paths: only 64 lower-case hex digits may.
    private static func requireDigestShape(_ digest: String) throws {
        guard digest.utf8.count == 64, digest.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
            throw BackupFailure("Empreinte de pièce jointe invalide : \(digest.prefix(80))",
                                "invalid attachment digest: \(digest.prefix(80))")
        }
    }

    /// True when the directory holds anything but the server's empty `tmp` spool.
    private static func hasAttachments(_ directory: String) -> Bool {
        let fileManager = FileManager.default
        guard let entries = try? fileManager.contentsOfDirectory(atPath: directory) else { return false }
        let spoolIsEmpty = (try? fileManager.contentsOfDirectory(atPath: "\(directory)/tmp"))?.isEmpty ?? true
        return entries.contains { $0 != "tmp" } || !spoolIsEmpty
    }

    /// `PATH.before-restore-STAMP`; `-wal` and `-shm` stay at the end of the
    /// name, where SQLite looks for them.
    private static func setAsideName(_ path: String, suffix: String = "", stamp: String) -> String {
        "\(path).before-restore-\(stamp)\(suffix)"
    }

    /// `stamp`, or `stamp-2`, `stamp-3`…: a set-aside name must never
    /// replace an earlier one (rename would, silently).
    private static func unusedStamp(_ stamp: String, databasePath: String, attachmentsDirectory: String) -> String {
        func taken(_ stamp: String) -> Bool {
            let names = databaseSuffixes.map { setAsideName(databasePath, suffix: $0, stamp: stamp) }
                + [setAsideName(attachmentsDirectory, stamp: stamp)]
            return names.contains { FileManager.default.fileExists(atPath: $0) }
        }
        var candidate = stamp
        var number = 2
        while taken(candidate) {
            candidate = "\(stamp)-\(number)"
            number += 1
        }
        return candidate
    }

    private static func stamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String { value.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "00" }
        return "\(parts.year ?? 0)\(two(parts.month))\(two(parts.day))T\(two(parts.hour))\(two(parts.minute))\(two(parts.second))Z"
    }

    private static func parent(of path: String) -> String {
        let parent = (path as NSString).deletingLastPathComponent
        return parent.isEmpty ? "." : parent
    }

    private static func trimmingTrailingSlashes(_ path: String) -> String {
        var path = path
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        return path
    }

    private static func failure(_ error: Error, _ french: String, _ english: String) -> BackupFailure {
        if let failure = error as? BackupFailure { return failure }
        return BackupFailure("\(french) (\(error))", "\(english) (\(error))")
    }
}

/// File work a backup needs on top of `SystemCalls`: copies and digests
/// streamed in 1 MB chunks, and an install that never replaces.
private enum Files {
    static func makeDirectory(_ path: String) throws {
        try SystemCalls.makeDirectory(path)
    }

    static func move(_ from: String, to: String) throws {
        try SystemCalls.move(from, to: to)
    }

    /// Moves `staged` to `path` unless something appeared at `path`
    /// meanwhile (a server started too early): `link` never replaces.
    static func installWithoutReplacing(_ staged: String, at path: String) throws {
        do {
            try SystemCalls.addName(path, to: staged)
        } catch {
            guard error.errno == EEXIST else { throw error }
            throw BackupFailure("Un fichier est apparu à \(path) pendant la restauration (serveur démarré ?)",
                                "a file appeared at \(path) during the restore (was a server started?)")
        }
        try SystemCalls.remove(staged)
    }

    static func syncFile(_ path: String) throws {
        try SystemCalls.withFile(path, flags: O_RDONLY) { try SystemCalls.sync($0, path: path) }
    }

    static func syncDirectory(_ path: String) throws {
        try SystemCalls.syncDirectory(path)
    }

    /// Size and SHA-256 of a file, read in chunks.
    static func digest(_ path: String) throws -> (size: Int, sha256: String) {
        try SystemCalls.withFile(path, flags: O_RDONLY) { try stream(from: $0, path: path) { _ in } }
    }

    /// Copies a file to a new one, fsynced; returns the size and SHA-256 of
    /// the bytes copied.
    static func copy(_ source: String, to destination: String) throws -> (size: Int, sha256: String) {
        try SystemCalls.withFile(source, flags: O_RDONLY) { input in
            try SystemCalls.withFile(destination, flags: O_WRONLY | O_CREAT | O_EXCL) { output in
                let result = try stream(from: input, path: source) { chunk in
                    try SystemCalls.writeAll(chunk, to: output, path: destination)
                }
                try SystemCalls.sync(output, path: destination)
                return result
            }
        }
    }

    static func create(_ data: Data, to path: String) throws {
        try data.withUnsafeBytes { try SystemCalls.createSynced(path, $0) }
    }

    private static func stream(from descriptor: Int32, path: String,
                               _ each: (UnsafeRawBufferPointer) throws -> Void) throws -> (size: Int, sha256: String) {
        var hasher = SHA256()
        var size = 0
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = try SystemCalls.readSome(descriptor, into: buffer, path: path)
            if count == 0 { break }
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<count])
            hasher.update(bufferPointer: chunk)
            try each(chunk)
            size += count
        }
        return (size, hex(hasher.finalize()))
    }

    private static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var characters: [UInt8] = []
        characters.reserveCapacity(64)
        for byte in bytes {
            characters.append(digits[Int(byte >> 4)])
            characters.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: characters, as: UTF8.self)
    }
}
