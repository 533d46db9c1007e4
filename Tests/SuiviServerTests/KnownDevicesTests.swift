import Foundation
@testable import SuiviApp
import Synchronization
import Testing

/// The signed device cookie on its own.
@Suite struct KnownDevicesTests {
    @Test func aCookieNamesItsDeviceForItsLoginOnly() throws {
        let devices = KnownDevices()
        let value = devices.issue(login: "Coordinatrice")
        let id = try #require(devices.device(value, login: " coordinatrice"))
        #expect(id.count >= 20)
        #expect(devices.device(devices.issue(login: "coordinatrice"), login: "coordinatrice") != id)
        #expect(devices.device(value, login: "moussa") == nil)
        #expect(devices.device(nil, login: "coordinatrice") == nil)
        #expect(devices.device("", login: "coordinatrice") == nil)
        #expect(devices.device(String(repeating: "a", count: 5000), login: "coordinatrice") == nil)
    }

    @Test func aTamperedOrForeignCookieIsUnknown() {
        let devices = KnownDevices()
        let parts = devices.issue(login: "awa").split(separator: ".").map(String.init)
        #expect(parts.count == 3)
        // Another id, a later issue time, another server's key.
        #expect(devices.device("\(parts[0]).AAAA\(parts[1].dropFirst(4)).\(parts[2])", login: "awa") == nil)
        #expect(devices.device("\(Int(parts[0])! + 1).\(parts[1]).\(parts[2])", login: "awa") == nil)
        #expect(KnownDevices().device(parts.joined(separator: "."), login: "awa") == nil)
    }

    @Test func aCookieExpires() {
        let now = Mutex(Date(timeIntervalSince1970: 1_700_000_000))
        let devices = KnownDevices(key: Array(repeating: 7, count: 32), now: { now.withLock { $0 } })
        let value = devices.issue(login: "awa")
        now.withLock { $0 += Double(KnownDevices.lifetimeSeconds - 60) }
        #expect(devices.device(value, login: "awa") != nil)
        now.withLock { $0 += 120 }
        #expect(devices.device(value, login: "awa") == nil)
    }
}
