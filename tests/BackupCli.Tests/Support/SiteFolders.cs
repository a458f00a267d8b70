using System.Security.Cryptography;

namespace BackupCli.Tests.Support;

/// <summary>A small CMS-like site on disk, and byte-for-byte comparison of two folders.</summary>
public static class SiteFolders
{
    /// <summary>Writes uploads (incompressible media: a backup stores them in a volume of their own, files-00002.part), themes, plugins and config (text), a dotfile and an empty folder.</summary>
    public static void Create(string root)
    {
        Write(root, "uploads/2024/photo.jpg", RandomNumberGenerator.GetBytes(300_000));
        Write(root, "uploads/2024/notes.txt", "uploaded text\n"u8.ToArray());
        Write(root, "uploads/2025/logo.png", RandomNumberGenerator.GetBytes(70_000));
        Write(root, "themes/classic/style.css", System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("body { color: #333; }\n", 2000))));
        Write(root, "themes/classic/index.php", "<?php echo 'hello';\n"u8.ToArray());
        Write(root, "plugins/seo/seo.php", "<?php // seo\n"u8.ToArray());
        Write(root, "config/settings.php", "<?php $db = 'cms';\n"u8.ToArray());
        Write(root, "config/.htaccess", "Deny from all\n"u8.ToArray());
        Directory.CreateDirectory(Path.Combine(root, "uploads", "empty"));
    }

    /// <summary>Relative '/'-separated paths of every file under <paramref name="root"/>, ordinal order.</summary>
    public static List<string> Files(string root) =>
    [
        .. Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Select(f => Path.GetRelativePath(root, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal),
    ];

    /// <summary>Same files, same bytes, same (empty) folders.</summary>
    public static void AssertIdentical(string expected, string actual)
    {
        Assert.Equal(Files(expected), Files(actual));
        foreach (var file in Files(expected))
            Assert.True(File.ReadAllBytes(Path.Combine(expected, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(actual, file))), $"{file} differs");
        var folders = (string root) => Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories)
            .Select(d => Path.GetRelativePath(root, d)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(folders(expected), folders(actual));
    }

    private static void Write(string root, string relative, byte[] content)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
    }
}
