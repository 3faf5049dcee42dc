import LinqShell
import Testing

/// What a base URL points at decides the production guard: by the parsed host, however the URL
/// is spelled (issue 18, item 1).
@Suite struct TargetTests {
    @Test(arguments: [
        ("https://api.linqapp.com/api/partner", "production"),
        ("https://api.linqapp.com./api/partner", "production"),
        ("https://api.linqapp.com../api/partner", "production"),
        ("http://api.linqapp.com/api/partner", "production"),
        ("https://api.linqapp.com/api/partner/v3", "production"),
        ("https://api.linqapp.com", "production"),
        ("HTTPS://API.LINQAPP.COM:443/API/PARTNER/", "production"),
        ("https://api.linqapp.com:8443/api/partner", "production"),
        ("https://someone@api.linqapp.com/api/partner", "production"),
        ("https://api%2Elinqapp.com/api/partner", "production"),
        ("https://api.linqapp.com.evil.example/api/partner", "custom"),
        ("https://api.linqapp.com@evil.example/api/partner", "custom"),
        ("https://evil.example/api.linqapp.com/api/partner", "custom"),
        ("https://linqapp.com/api/partner", "custom"),
        ("https://staging.api.linqapp.com/api/partner", "custom"),
        ("http://127.0.0.1:4010/api/partner", "custom"),
        ("http://[::1]:4010/api/partner", "custom"),
        ("http://10.0.0.7/api/partner", "custom"),
    ])
    func theHostDecides(url: String, expected: String) {
        let target = Target.classify(url, emulatorURL: nil)
        let label =
            switch target {
            case .production: "production"
            case .custom: "custom"
            case .emulator: "emulator"
            }
        #expect(label == expected, "\(url)")
    }

    @Test func theEmulatorIsKnownByItsSchemeHostAndPort() {
        let emulator = "http://127.0.0.1:4321/api/partner"
        #expect(
            Target.classify("http://127.0.0.1:4321/api/partner/", emulatorURL: emulator)
                == .emulator(url: "http://127.0.0.1:4321/api/partner/"))
        #expect(
            Target.classify("http://127.0.0.1:4322/api/partner", emulatorURL: emulator)
                != .emulator(url: "http://127.0.0.1:4322/api/partner"))
    }
}
