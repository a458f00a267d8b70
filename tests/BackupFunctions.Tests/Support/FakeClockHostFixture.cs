using Microsoft.Extensions.Time.Testing;

namespace BackupFunctions.Tests.Support;

/// <summary>The local host with a fake clock, starting at 2026-03-29 00:00 UTC (the night Europe/Berlin springs forward).</summary>
public sealed class FakeClockHostFixture : LocalHostFixture
{
    public static readonly DateTimeOffset Start = new(2026, 3, 29, 0, 0, 0, TimeSpan.Zero);

    protected override FakeTimeProvider CreateClock() => new(Start);
}
