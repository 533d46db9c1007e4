import Foundation
import SuiviApp
import Synchronization
import Testing

/// The sign-in limiter on its own, with a clock the test moves.
@Suite struct SignInLimiterTests {
    final class Clock: Sendable {
        let seconds = Mutex<Double>(1000)
        func advance(_ by: Double) { seconds.withLock { $0 += by } }
        var now: @Sendable () -> Double { { [self] in seconds.withLock { $0 } } }
    }

    private func limiter(_ clock: Clock, pair: Int = 3, address: Int = 10, login: Int = 20, window: Int = 600,
                         entries: Int = 10_000) -> SignInLimiter {
        SignInLimiter(limits: SignInLimits(failuresPerLoginAndAddress: pair, failuresPerAddress: address,
                                           failuresPerLogin: login, windowSeconds: window, maximumEntries: entries),
                      clock: clock.now)
    }

    @Test func aGuesserIsLimitedButTheOwnerElsewhereIsNot() {
        let clock = Clock()
        let limiter = limiter(clock)
        for _ in 0..<2 { #expect(limiter.recordFailure(login: "awa", client: "203.0.113.9") == .allowed) }
        clock.advance(10)
        #expect(limiter.recordFailure(login: "AWA ", client: "203.0.113.9") == .limited(retryAfterSeconds: 590))
        #expect(limiter.check(login: "awa", client: "203.0.113.9") == .limited(retryAfterSeconds: 590))
        // The owner, from their own address, and other logins from the guesser's address.
        #expect(limiter.check(login: "awa", client: "198.51.100.4") == .allowed)
        #expect(limiter.check(login: "moussa", client: "203.0.113.9") == .allowed)
        // The window slides: once the oldest failure is 600 s old, one more try.
        clock.advance(589)
        #expect(limiter.check(login: "awa", client: "203.0.113.9") == .limited(retryAfterSeconds: 1))
        clock.advance(2)
        #expect(limiter.check(login: "awa", client: "203.0.113.9") == .allowed)
    }

    @Test func aSuccessfulSignInForgetsThePairsFailures() {
        let clock = Clock()
        let limiter = limiter(clock)
        for _ in 0..<2 { limiter.recordFailure(login: "awa", client: "10.0.0.1") }
        limiter.recordSuccess(login: "awa", client: "10.0.0.1")
        for _ in 0..<2 { #expect(limiter.recordFailure(login: "awa", client: "10.0.0.1") == .allowed) }
    }

    @Test func oneAddressCannotWalkThroughEveryLogin() {
        let clock = Clock()
        let limiter = limiter(clock, address: 10)
        for index in 0..<9 { #expect(limiter.recordFailure(login: "user\(index)", client: "10.0.0.1") == .allowed) }
        #expect(limiter.recordFailure(login: "user9", client: "10.0.0.1") != .allowed)
        #expect(limiter.check(login: "someone-else", client: "10.0.0.1") != .allowed)
        #expect(limiter.check(login: "someone-else", client: "10.0.0.2") == .allowed)
    }

    @Test func guessingFromManyAddressesSlowsOnlyAddressesThatNeverSignedInAndRefusesNoOne() {
        let clock = Clock()
        let limiter = limiter(clock, login: 20)
        // The owner signed in from home an hour ago.
        limiter.recordSuccess(login: "awa", client: "198.51.100.4")
        clock.advance(3600)
        for index in 0..<19 { limiter.recordFailure(login: "awa", client: "203.0.113.\(index)") }
        #expect(limiter.check(login: "awa", client: "203.0.113.200") == .allowed)
        limiter.recordFailure(login: "awa", client: "203.0.113.19")
        #expect(limiter.check(login: "awa", client: "203.0.113.200") == .delayed(seconds: 3))
        #expect(limiter.check(login: "awa", client: "198.51.100.4") == .allowed)
        // However many more: slowed, never refused, from an address that has not failed itself.
        for index in 0..<1000 { limiter.recordFailure(login: "awa", client: "10.1.\(index / 250).\(index % 250)") }
        #expect(limiter.check(login: "awa", client: "203.0.113.200") == .delayed(seconds: 3))
        // Other logins are untouched.
        #expect(limiter.check(login: "moussa", client: "203.0.113.200") == .allowed)
        // Once the window has passed, no more delay.
        clock.advance(601)
        #expect(limiter.check(login: "awa", client: "203.0.113.200") == .allowed)
    }

    @Test func aKnownDeviceIsCountedOnItsOwn() {
        let clock = Clock()
        let limiter = limiter(clock, pair: 3, address: 10, login: 20)
        // A guesser has used up the address the owner is on, and the login from everywhere.
        for index in 0..<25 { limiter.recordFailure(login: "awa", client: index < 10 ? "10.0.0.1" : "10.0.1.\(index)") }
        #expect(limiter.check(login: "awa", client: "10.0.0.1") != .allowed)
        // The owner's known browser on that address is neither refused nor slowed.
        #expect(limiter.check(login: "awa", client: "10.0.0.1", device: "owner-browser") == .allowed)
        // A stolen cookie has the device's own small allowance.
        for _ in 0..<2 { #expect(limiter.recordFailure(login: "awa", client: "10.9.9.9", device: "owner-browser") == .allowed) }
        #expect(limiter.recordFailure(login: "awa", client: "10.9.9.9", device: "owner-browser") == .limited(retryAfterSeconds: 600))
        #expect(limiter.check(login: "awa", client: "10.0.0.1", device: "other-browser") == .allowed)
        // A right password on the device forgets its failures.
        limiter.recordSuccess(login: "awa", client: "10.9.9.9", device: "owner-browser")
        #expect(limiter.check(login: "awa", client: "10.0.0.1", device: "owner-browser") == .allowed)
    }

    @Test func memoryStaysBoundedUnderAFloodOfAddresses() {
        let clock = Clock()
        let limiter = limiter(clock, entries: 100)
        for index in 0..<10_000 { limiter.recordFailure(login: "l\(index)", client: "c\(index)") }
        // Four tables, each at most `maximumEntries`.
        #expect(limiter.rememberedEntries <= 400)
    }
}
