import ArgumentParser
import Foundation
import Logging
import SuiviApp
import SuiviHTTP
import SuiviAdmin
import SuiviDomain

/// `suivi`: the server and its admin commands.
@main
struct Suivi: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suivi",
        abstract: "Suivi: field-campaign data collection server (OpenRosa).",
        subcommands: [Serve.self, PersonCommand.self, UserCommand.self, APIKeyCommand.self, FormCommand.self, DemoCommand.self,
                      VerifyCommand.self, BackupCommand.self, RestoreCommand.self])
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the server.")

    @Option(help: "SQLite database file (created and migrated if needed).") var db: String
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0 picks a free one).") var port: UInt16 = 8080
    @Option(name: .customLong("base-url"), help: "Public address phones use, e.g. https://suivi.example.sn") var baseURL: String?
    @Option(help: "Directory of XForms to serve.") var forms = "Forms"
    @Option(name: .customLong("public"), help: "Directory of web pages.") var publicDirectory = "Public"
    @Option(help: "Attachments directory (default: beside the database).") var attachments: String?
    @Option(name: .customLong("max-body-mb"), help: "Largest request body accepted, in MiB.") var maximumBodyMegabytes = 64
    @Option(name: .customLong("spool-limit-mb"),
            help: "Most the spool of large request bodies may hold on disk at once, in MiB (past it: 503.3).")
    var spoolLimitMegabytes = 512
    @Option(name: .customLong("metrics-token"),
            help: "Bearer token /metrics requires (default: SUIVI_METRICS_TOKEN; none: /metrics only on loopback).")
    var metricsToken: String?
    @Option(name: .customLong("handler-threads"),
            help: "Threads that run request handlers (default: one per core, at least two).")
    var handlerThreads = ServerConfiguration.defaultHandlerThreads

    func run() async throws {
        let logger = LogSetup.bootstrap()
        var server = ServerConfiguration(host: host, port: port)
        server.maximumBodyBytes = maximumBodyMegabytes << 20
        server.spoolLimitBytes = spoolLimitMegabytes << 20
        server.handlerThreads = max(1, handlerThreads)
        // The environment keeps the token out of `ps`; only its digest is kept.
        let token = (self.metricsToken ?? ProcessInfo.processInfo.environment["SUIVI_METRICS_TOKEN"]).flatMap { $0.isEmpty ? nil : $0 }
        let formsFolder: String
        let publicFolder: String
        do {
            formsFolder = try Self.folder(forms, option: "--forms", french: "des formulaires", english: "forms")
            publicFolder = try Self.folder(publicDirectory, option: "--public", french: "des pages web", english: "web pages")
        } catch let failure as MissingFolder {
            FileHandle.standardError.write(Data("suivi: \(failure.text)\n".utf8))
            throw ExitCode(2)
        }
        let configuration = AppConfiguration(
            databasePath: db, formsDirectory: formsFolder, publicDirectory: publicFolder,
            attachmentsDirectory: attachments, baseURL: baseURL, server: server,
            metricsTokenSHA256: token.map { Secrets.sha256Hex($0) })
        let application: SuiviApplication
        do {
            application = try SuiviApplication(configuration: configuration, logger: logger)
            try application.start()
        } catch {
            FileHandle.standardError.write(Data("suivi: \(error)\n".utf8))
            throw ExitCode(2)
        }
        logger.info("listening", metadata: ["port": "\(application.port)", "db": "\(db)"])
        // Written unbuffered: scripts wait for this line on a pipe.
        FileHandle.standardOutput.write(Data("Suivi écoute sur / listening on \(application.baseURL)\n".utf8))
        let signal = await StopSignal.wait()
        logger.info("stopping", metadata: ["signal": "\(signal)"])
        await application.stop()
        logger.info("stopped")
    }
}

struct MissingFolder: Error {
    let text: String
}

extension Serve {
    /// `path` if it is a folder; else, for a relative path, the same name in
    /// the installed share folder beside the binary (`bin/../share/suivi/`,
    /// as docs/production.md lays out). Says which option to use otherwise,
    /// rather than a Foundation error code.
    static func folder(_ path: String, option: String, french: String, english: String) throws -> String {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue { return path }
        if !path.hasPrefix("/") {
            let binary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            let installed = binary.deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("share/suivi").appendingPathComponent(path).path
            if FileManager.default.fileExists(atPath: installed, isDirectory: &isFolder), isFolder.boolValue { return installed }
        }
        throw MissingFolder(text: "dossier \(french) « \(path) » introuvable ; utilisez \(option) DOSSIER / "
            + "\(english) folder '\(path)' not found; use \(option) DIR")
    }
}

struct PersonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "person", abstract: "Manage resource persons.", subcommands: [Add.self, PersonImportCommand.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a resource person; prints their personal link as the last line.")
        @Option var db: String
        @Option var name: String
        @Option var phone: String
        @Option var departement: String
        @Option var organisation: String?
        @Option(name: .customLong("base-url")) var baseURL: String?

        func run() async throws {
            do {
                let administration = try Administration(databasePath: db)
                let (person, link) = try administration.addPerson(
                    name: name, phone: phone, departement: departement, organisation: organisation, baseURL: baseURL)
                print("Personne ressource n°\(person.id) ajoutée / resource person #\(person.id) added (\(person.departementCode)).")
                print("Lien personnel (à transmettre, il ne sera plus affiché) / personal link (shown once):")
                print(link)
            } catch {
                FileHandle.standardError.write(Data("suivi: \(error)\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}

struct APIKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apikey", abstract: "Manage API keys for other systems.", subcommands: [Add.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an API key; prints it once, as the last line.")
        @Option var db: String
        @Option var name: String
        @Option(help: "admin, coordinator, viewer or membership") var role: String
        @Option var region: String?

        func run() async throws {
            guard let parsedRole = Role(rawValue: role) else {
                FileHandle.standardError.write(Data("suivi: rôle inconnu / unknown role '\(role)' (admin, coordinator, viewer, membership)\n".utf8))
                throw ExitCode(64)
            }
            do {
                let (key, secret) = try Administration(databasePath: db).addAPIKey(name: name, role: parsedRole, region: region)
                print("Clé d'API n°\(key.id) créée / API key #\(key.id) created (role \(key.role.rawValue)). Shown once:")
                print(secret)
            } catch {
                FileHandle.standardError.write(Data("suivi: \(error)\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manage coordinator accounts.", subcommands: [Add.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a coordinator account; the password is read from standard input (first line).")
        @Option var db: String
        @Option var login: String
        @Option(help: "admin, coordinator or viewer") var role: String
        @Option(help: "Region of a regional coordinator (code or name).") var region: String?
        @Option(name: .customLong("name"), help: "Name shown in the pages.") var displayName: String = ""

        func run() async throws {
            guard let parsedRole = Role(rawValue: role), parsedRole != .membership else {
                FileHandle.standardError.write(Data("suivi: rôle inconnu / unknown role '\(role)' (admin, coordinator, viewer)\n".utf8))
                throw ExitCode(64)
            }
            // Standard input, not an option: a password on the command line
            // would show in `ps` and the shell history.
            guard let line = readLine(strippingNewline: true), !line.isEmpty else {
                FileHandle.standardError.write(Data("suivi: mot de passe attendu sur l'entrée standard / password expected on standard input\n".utf8))
                throw ExitCode(64)
            }
            do {
                let user = try await Administration(databasePath: db).addUser(
                    login: login, password: line, role: parsedRole, region: region, displayName: displayName)
                print("Compte n°\(user.id) créé / account #\(user.id) created: \(user.login) (\(user.role.rawValue)\(user.regionCode.map { ", " + $0 } ?? "")).")
            } catch {
                FileHandle.standardError.write(Data("suivi: \(error)\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}
