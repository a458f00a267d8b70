using System.Net;
using BackupFunctions.Core.Network;

namespace BackupFunctions.Core.Tests.Support;

/// <summary>Host names for DNS-rebinding tests: they pass a create-time check and resolve inward at connect time.</summary>
public static class RebindingNames
{
    private static readonly NetworkPolicy PublicOnly = new([]);

    /// <summary>
    /// A host name (so create time lets it through) that resolves, through /etc/hosts, to loopback addresses only
    /// ("runsc", "ip6-localhost", a host's own alias…): what a rebinding name resolves to at connect time. Never a
    /// real external name; not "localhost" (refused by name at create time) nor this machine's own name (.NET answers
    /// that with every interface's address).
    /// </summary>
    public static string Any()
    {
        var own = Dns.GetHostName();
        var candidates = File.ReadAllLines("/etc/hosts")
            .Select(line => line.Split('#')[0].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length > 1 && IPAddress.TryParse(fields[0], out var address) && IPAddress.IsLoopback(address))
            .SelectMany(fields => fields.Skip(1))
            .Where(name => PublicOnly.CheckHost(name) is null && !name.Equals(own, StringComparison.OrdinalIgnoreCase));
        foreach (var name in candidates)
        {
            var addresses = Dns.GetHostAddresses(name);
            if (addresses.Length > 0 && addresses.All(IPAddress.IsLoopback))
                return name;
        }
        Assert.Fail("The test needs a name in /etc/hosts (other than localhost and this machine's name) that resolves to loopback addresses only.");
        return "";
    }
}
