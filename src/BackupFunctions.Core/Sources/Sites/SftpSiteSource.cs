using System.Collections;
using System.Reflection;
using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Storage.Sftp;
using Renci.SshNet;
using Renci.SshNet.Common;
using Renci.SshNet.Sftp;

namespace BackupFunctions.Core.Sources.Sites;

/// <summary>
/// A site on the CMS host over SFTP (<c>files.source.type</c> <c>sftp</c>), through the SFTP destination's connection
/// code: the host resolved and judged by the network policy, the host key pinned before any credential is sent.
/// Entries are listed with the attributes READDIR gives (lstat: links are listed as links, never followed).
/// </summary>
/// <remarks>
/// <para>An SFTP server resolves every path it is given, links included, and SSH.NET asks it for the canonical path
/// (REALPATH) before each listing and open. So a link swapped in below the root is caught by comparing that canonical
/// path with the one expected (the root's canonical path + the site path): a folder whose listing, or a file whose
/// open, resolved elsewhere is skipped and reported, never read. What remains is the moment between that check and
/// the server's own open; what could be read through it is bounded by what the SFTP user may read on the CMS host,
/// not by the app's rights.</para>
/// <para>SFTP has no inode numbers: <see cref="SiteEntry.Identity"/> is null, and a file changed while read is told by
/// its size and time afterwards.</para>
/// </remarks>
public sealed class SftpSiteSource : ISiteSource, IDisposable
{
    private readonly SftpConnectionPool _pool;
    private readonly string _root;
    private SftpClient? _client;
    private string? _realRoot;

    internal SftpSiteSource(SftpConnectionPool pool, string root, IReadOnlyList<string> components)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentException.ThrowIfNullOrEmpty(root);
        ArgumentNullException.ThrowIfNull(components);
        _pool = pool;
        _root = root;
        Components = SiteWalker.NormalizeComponents(components);
    }

    public IReadOnlyList<string> Components { get; }

    public IEnumerable<SiteEntry> Walk(Action<FileChange> skipped)
    {
        ArgumentNullException.ThrowIfNull(skipped);
        var root = RealRoot();
        foreach (var component in Components)
        {
            var segments = component.Split('/');
            // Each folder above the component is found in its parent's listing, as a folder (a link there: the
            // component is below a link, and is left out like a missing one).
            var found = true;
            for (var i = 0; i < segments.Length - 1 && found; i++)
            {
                var parent = string.Join('/', segments[..i]);
                found = List(root, parent, segments[i], skipped).FirstOrDefault(f => f.Name == segments[i]) is { IsDirectory: true, IsSymbolicLink: false };
            }
            if (!found)
                continue;
            var parentPath = string.Join('/', segments[..^1]);
            if (List(root, parentPath, segments[^1], skipped).FirstOrDefault(f => f.Name == segments[^1]) is not { } entry)
                continue;
            foreach (var item in Visit(root, component, entry, skipped))
                yield return item;
        }
    }

    public SiteFile? OpenFile(string path)
    {
        if (!IsSafePath(path))
            return null;
        var root = RealRoot();
        var full = root + "/" + path;
        var client = Client();
        ISftpFile seen;
        try
        {
            seen = client.Get(full);
        }
        catch (SftpPathNotFoundException)
        {
            return null;
        }
        // Get answers with the canonical path: another one means a link on the way (or the file is one).
        if (seen.FullName != full || !seen.IsRegularFile)
            return null;
        SftpFileStream stream;
        try
        {
            stream = client.Open(full, FileMode.Open, FileAccess.Read);
        }
        catch (SftpPathNotFoundException)
        {
            return null;
        }
        return new SftpSiteFile(client, full, seen, stream);
    }

    public string? ReadLink(string path)
    {
        if (!IsSafePath(path))
            return null;
        var root = RealRoot();
        var segments = path.Split('/');
        var entry = List(root, string.Join('/', segments[..^1]), segments[^1], _ => { }).FirstOrDefault(f => f.Name == segments[^1]);
        return entry is { IsSymbolicLink: true } ? ReadLinkTarget(Client(), root + "/" + path) : null;
    }

    /// <remarks>Looked up in the listings for this note only; the walk never follows a link either way.</remarks>
    public IEnumerable<LinkedComponent> ComponentsBelowLinks()
    {
        var root = RealRoot();
        foreach (var component in Components)
        {
            var segments = component.Split('/');
            for (var depth = 1; depth < segments.Length; depth++)
            {
                var parent = string.Join('/', segments[..(depth - 1)]);
                var above = List(root, parent, segments[depth - 1], _ => { }).FirstOrDefault(f => f.Name == segments[depth - 1]);
                if (above is null)
                    break;
                if (above.IsSymbolicLink)
                {
                    var target = ReadLinkTarget(Client(), root + "/" + string.Join('/', segments[..depth])) ?? "";
                    yield return new LinkedComponent(component, target.TrimEnd('/') + "/" + string.Join('/', segments[depth..]));
                    break;
                }
            }
        }
    }

    public void Dispose()
    {
        if (_client is not null)
            _pool.Return(_client, reusable: false);
        _client = null;
        _pool.Dispose();
    }

    private IEnumerable<SiteEntry> Visit(string root, string path, ISftpFile file, Action<FileChange> skipped)
    {
        if (file.IsSymbolicLink)
        {
            var target = ReadLinkTarget(Client(), root + "/" + path);
            if (target is null)
                skipped(new FileChange(path, FileChange.Skipped));
            else
                yield return new SiteEntry(path, FileIndexEntry.SymbolicLinkType, 0, file.LastWriteTimeUtc, ModeOf(file.Attributes)) { LinkTarget = target };
            yield break;
        }
        if (file.IsRegularFile)
        {
            yield return new SiteEntry(path, FileIndexEntry.FileType, file.Length, file.LastWriteTimeUtc, ModeOf(file.Attributes));
            yield break;
        }
        if (!file.IsDirectory)
            yield break; // FIFOs, sockets and devices are no part of a site

        yield return new SiteEntry(path, FileIndexEntry.DirectoryType, 0, file.LastWriteTimeUtc, ModeOf(file.Attributes));
        foreach (var child in List(root, path, null, skipped))
        {
            foreach (var entry in Visit(root, path + "/" + child.Name, child, skipped))
                yield return entry;
        }
    }

    /// <summary>
    /// The entries of folder <paramref name="folder"/> ("" for the root) in ordinal order (only <paramref name="only"/>
    /// when given, for a lookup). Empty when the folder is gone, or resolved elsewhere than expected (a link swapped in).
    /// </summary>
    private List<ISftpFile> List(string root, string folder, string? only, Action<FileChange> skipped)
    {
        var full = folder.Length == 0 ? root : root + "/" + folder;
        List<ISftpFile> listed;
        try
        {
            listed = [.. Client().ListDirectory(full)];
        }
        catch (SftpPathNotFoundException)
        {
            if (folder.Length > 0 && only is null)
                skipped(new FileChange(folder, FileChange.Skipped)); // listed a moment ago, gone now
            return [];
        }
        var expected = full == "/" ? "/" : full + "/";
        var result = new List<ISftpFile>(listed.Count);
        foreach (var file in listed)
        {
            if (file.Name is "." or "..")
                continue;
            if (only is not null && file.Name != only)
                continue;
            if (!file.FullName.StartsWith(expected, StringComparison.Ordinal) || file.FullName.Length != expected.Length + file.Name.Length)
            {
                // The folder resolved elsewhere: it was replaced by a link while the walk ran. Nothing of it is read.
                skipped(new FileChange(folder, FileChange.Skipped));
                return [];
            }
            if (!IsSafeName(file.Name))
                throw new IOException($"{folder}: a name in this folder cannot be stored ({new string([.. file.Name.Take(200).Select(c => char.IsControl(c) ? '?' : c)])}); rename it to back it up");
            result.Add(file);
        }
        result.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return result;
    }

    private string RealRoot()
    {
        if (_realRoot is not null)
            return _realRoot;
        // The root is the operator's choice and may be reached through a link (a "current" release link): resolved once.
        ISftpFile root;
        try
        {
            root = Client().Get(_root);
        }
        catch (SftpPathNotFoundException e)
        {
            throw new DirectoryNotFoundException($"The site root '{_root}' does not exist on the SFTP host.", e);
        }
        if (!root.IsDirectory)
            throw new DirectoryNotFoundException($"The site root '{_root}' on the SFTP host is not a folder.");
        _realRoot = root.FullName.TrimEnd('/');
        return _realRoot;
    }

    private SftpClient Client()
    {
        if (_client is { IsConnected: true })
            return _client;
        if (_client is not null)
            _pool.Return(_client, reusable: false);
        // ISiteSource is synchronous (the archiver reads the walk as an enumerable); one connection, made once.
        _client = _pool.RentAsync(CancellationToken.None).GetAwaiter().GetResult();
        return _client;
    }

    private static bool IsSafeName(string name) => name.Length > 0 && !name.Contains('/');

    private bool IsSafePath(string path) =>
        !string.IsNullOrEmpty(path) && path.Split('/').All(s => IsSafeName(s) && s is not ("." or ".."))
        && Components.Any(c => path == c || path.StartsWith(c + "/", StringComparison.Ordinal));

    /// <summary>Permission bits (setuid, setgid, sticky, rwx for owner, group, other) from SSH.NET's attributes.</summary>
    internal static int ModeOf(SftpFileAttributes a)
    {
        var mode = 0;
        void Bit(bool set, int value) => mode |= set ? value : 0;
        Bit(a.IsUIDBitSet, 0x800);
        Bit(a.IsGroupIDBitSet, 0x400);
        Bit(a.IsStickyBitSet, 0x200);
        Bit(a.OwnerCanRead, 0x100);
        Bit(a.OwnerCanWrite, 0x80);
        Bit(a.OwnerCanExecute, 0x40);
        Bit(a.GroupCanRead, 0x20);
        Bit(a.GroupCanWrite, 0x10);
        Bit(a.GroupCanExecute, 0x8);
        Bit(a.OthersCanRead, 0x4);
        Bit(a.OthersCanWrite, 0x2);
        Bit(a.OthersCanExecute, 0x1);
        return mode;
    }

    /// <summary>
    /// The link's target as stored on the host (SSH_FXP_READLINK); null when it is no longer a link or gone.
    /// </summary>
    /// <remarks>
    /// SSH.NET sends READLINK only from its internal session (no public method; <c>SftpClient.Get</c> resolves the
    /// link with REALPATH, which gives the final absolute path, not the link's text). Reached by reflection, checked
    /// once: a library version without it fails loudly here instead of storing wrong targets.
    /// </remarks>
    private static string? ReadLinkTarget(SftpClient client, string path)
    {
        var session = SessionField.GetValue(client) ?? throw new InvalidOperationException("The SFTP session is not open.");
        var method = session.GetType().GetMethod("RequestReadLink", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance, [typeof(string), typeof(bool)])
            ?? throw new NotSupportedException("This SSH.NET version has no READLINK request; links on an SFTP site cannot be read.");
        object? answer;
        try
        {
            answer = method.Invoke(session, [path, true]);
        }
        catch (TargetInvocationException e) when (e.InnerException is SftpPathNotFoundException)
        {
            return null;
        }
        if (answer is not IEnumerable names)
            return null;
        foreach (var name in names)
            return name?.GetType().GetProperty("Key")?.GetValue(name) as string;
        return null;
    }

    private static readonly FieldInfo SessionField =
        typeof(SftpClient).GetField("_sftpSession", BindingFlags.NonPublic | BindingFlags.Instance)
        ?? throw new NotSupportedException("This SSH.NET version keeps its SFTP session elsewhere; links on an SFTP site cannot be read.");

    private sealed class SftpSiteFile(SftpClient client, string path, ISftpFile seen, SftpFileStream stream)
        : SiteFile(seen.Length, seen.LastWriteTimeUtc, ModeOf(seen.Attributes), null)
    {
        public override Stream OpenRead() => stream;

        public override (long Length, DateTimeOffset ModifiedAt) CurrentState()
        {
            try
            {
                var now = client.GetAttributes(path);
                return (now.Size, now.LastWriteTimeUtc);
            }
            catch (SftpPathNotFoundException)
            {
                return (-1, DateTimeOffset.MinValue);
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                stream.Dispose();
            base.Dispose(disposing);
        }
    }
}
