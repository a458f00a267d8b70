using System.Net;
using BackupFunctions.Core.Network;

namespace BackupFunctions.Core.Tests.Network;

public sealed class NetworkPolicyTests
{
    private static readonly NetworkPolicy PublicOnly = new([]);
    private static readonly NetworkPolicy LoopbackAllowed = NetworkPolicy.FromOptions(new NetworkOptions { AllowedRanges = "127.0.0.0/8" });
    private static readonly NetworkPolicy EverythingListed = NetworkPolicy.FromOptions(new NetworkOptions
    {
        AllowedRanges = "0.0.0.0/0; ::/0",
    });

    [Theory]
    // address, allowed with no ranges, allowed with 127.0.0.0/8, allowed with everything listed
    [InlineData("8.8.8.8", true, true, true)]
    [InlineData("2606:4700::1111", true, true, true)]
    [InlineData("127.0.0.1", false, true, true)]
    [InlineData("127.8.9.10", false, true, true)]
    [InlineData("::1", false, false, true)]
    [InlineData("::ffff:127.0.0.1", false, true, true)]
    [InlineData("::127.0.0.1", false, true, true)]
    [InlineData("64:ff9b::7f00:1", false, true, true)]
    [InlineData("0.0.0.0", false, false, true)]
    [InlineData("::", false, false, true)]
    [InlineData("10.1.2.3", false, false, true)]
    [InlineData("172.16.0.1", false, false, true)]
    [InlineData("172.32.0.1", true, true, true)]
    [InlineData("192.168.1.1", false, false, true)]
    [InlineData("100.64.0.1", false, false, true)]
    [InlineData("fd12::1", false, false, true)]
    // never, whatever is listed
    [InlineData("169.254.169.254", false, false, false)]
    [InlineData("::ffff:169.254.169.254", false, false, false)]
    [InlineData("64:ff9b::a9fe:a9fe", false, false, false)]
    [InlineData("168.63.129.16", false, false, false)]
    [InlineData("fd00:ec2::254", false, false, false)]
    [InlineData("fe80::1", false, false, false)]
    [InlineData("224.0.0.1", false, false, false)]
    [InlineData("255.255.255.255", false, false, false)]
    public void Judges_addresses(string address, bool publicOnly, bool loopback, bool everything)
    {
        var ip = IPAddress.Parse(address);
        Assert.Equal(publicOnly, PublicOnly.Check(ip) is null);
        Assert.Equal(loopback, LoopbackAllowed.Check(ip) is null);
        Assert.Equal(everything, EverythingListed.Check(ip) is null);
    }

    [Theory]
    [InlineData("localhost", false)]
    [InlineData("db.localhost.", false)]
    [InlineData("[::1]", false)]
    [InlineData("169.254.169.254", false)]
    [InlineData("db.example.com", true)] // judged when it resolves
    public void Judges_hosts_named_in_a_config(string host, bool allowed) => Assert.Equal(allowed, PublicOnly.CheckHost(host) is null);

    [Fact]
    public async Task Refuses_a_name_that_resolves_to_a_refused_address()
    {
        var error = await Assert.ThrowsAsync<NetworkRefusedException>(() => PublicOnly.ResolveAsync("localhost", CancellationToken.None));
        Assert.Contains("localhost", error.Message);
        Assert.NotEmpty(await LoopbackAllowed.ResolveAsync("127.0.0.1", CancellationToken.None));
    }

    [Theory]
    [InlineData("10.0.0.0/8, 127.0.0.1", 2)]
    [InlineData("", 0)]
    [InlineData(" ; ", 0)]
    public void Parses_range_lists(string text, int count) => Assert.Equal(count, NetworkPolicy.ParseRanges(text).Count);

    [Theory]
    [InlineData("10.0.0.1/8")]
    [InlineData("db.example.com")]
    [InlineData("10.0.0.0/33")]
    public void Refuses_what_is_not_a_range(string text) => Assert.Throws<FormatException>(() => NetworkPolicy.ParseRanges(text));
}
