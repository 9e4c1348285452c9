using System.Collections;
using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using TokenProxy.Providers;
using TokenProxy.Webhooks;

namespace TokenProxy.Hosting;

/// <summary>
/// Checks every key of a configuration section against the options type it binds to, the way the configuration binder
/// would read it, but collecting every problem instead of stopping at the first: a value of the wrong type (the binder
/// throws, or inside a dictionary entry silently drops the whole entry), a section where one value belongs and one
/// value where a list, a dictionary or a section belongs (the binder ignores it), a key no
/// option reads (a typo the binder would ignore), and a placeholder left from <c>appsettings.sample.json</c>. Only values
/// of non-text settings are repeated in messages, so a secret never is.
/// </summary>
internal static class ConfigurationShape
{
    /// <summary>
    /// Adds a problem for every key under <paramref name="section"/> that the options types bound in it cannot take;
    /// returns those keys. <paramref name="bindings"/> names each options type with the section it binds to: the
    /// section itself (its settings sit at the top, next to other types') or one of its sub-sections.
    /// </summary>
    public static IReadOnlyList<string> Check(IConfigurationSection section, IEnumerable<(string Section, Type Options)> bindings, List<string> problems)
    {
        var settings = new Dictionary<string, Type>(StringComparer.OrdinalIgnoreCase);
        foreach (var (path, type) in bindings)
        {
            if (string.Equals(path, section.Path, StringComparison.OrdinalIgnoreCase))
            {
                foreach (var property in Properties(type))
                {
                    settings.TryAdd(property.Name, SettingType(property));
                }
            }
            else if (path.StartsWith(section.Path + ":", StringComparison.OrdinalIgnoreCase))
            {
                settings.TryAdd(path[(section.Path.Length + 1)..], type);
            }
        }

        var unusable = new List<string>();
        CheckObject(section, settings, problems, unusable);
        return unusable;
    }

    /// <summary>
    /// Checks each key of <paramref name="section"/> against <paramref name="settings"/>; any other key is a problem, or, with
    /// an <paramref name="entryType"/> (<see cref="NamedEntriesAttribute"/>), an entry of that type under a name of the
    /// operator's choosing.
    /// </summary>
    private static void CheckObject(
        IConfigurationSection section, IReadOnlyDictionary<string, Type> settings, List<string> problems, List<string> unusable, Type? entryType = null)
    {
        foreach (var child in section.GetChildren())
        {
            if (!settings.TryGetValue(child.Key, out var type) && entryType is not null)
            {
                if (child.Value is not null)
                {
                    // One value under a name: most likely a misspelt setting of the section, not an entry.
                    problems.Add($"{child.Path}: not a setting TokenProxy reads here{Spelling.DidYouMean(child.Key, settings.Keys)}; the settings of {section.Path} are {string.Join(", ", settings.Keys)}, " +
                        $"and any other key is a section of its own with the settings {string.Join(", ", Settings(entryType))}.");
                    unusable.Add(child.Path);
                    continue;
                }

                CheckValue(child, entryType, problems, unusable);
                continue;
            }

            if (type is null)
            {
                problems.Add($"{child.Path}: not a setting TokenProxy reads here{Spelling.DidYouMean(child.Key, settings.Keys)}; the settings of {section.Path} are {string.Join(", ", settings.Keys)}.");
                unusable.Add(child.Path);
                continue;
            }

            CheckValue(child, type, problems, unusable);
        }
    }

    private static Dictionary<string, Type> SettingsOf(Type type) =>
        Properties(type).ToDictionary(p => p.Name, SettingType, StringComparer.OrdinalIgnoreCase);

    /// <summary>The property's type; a list that also takes one value stands as <see cref="OneOrListAttribute"/>.</summary>
    private static Type SettingType(PropertyInfo property) =>
        property.GetCustomAttribute<OneOrListAttribute>() is null ? property.PropertyType : typeof(OneOrListAttribute);

    /// <summary>The properties the configuration binder sets: public, with a public setter.</summary>
    private static IEnumerable<PropertyInfo> Properties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true });

    private static void CheckValue(IConfigurationSection section, Type type, List<string> problems, List<string> unusable)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        if (target == typeof(OneOrListAttribute))
        {
            // One text value, or a list of them.
            target = section.Value is null ? typeof(string[]) : typeof(string);
        }

        if (IsScalar(target))
        {
            var children = section.GetChildren().Select(c => c.Path).ToList();
            if (children.Count > 0)
            {
                problems.Add($"{section.Path}: one value belongs here ({Describe(target)}), not the section {string.Join(", ", children)}.");
                unusable.AddRange(children);
            }
            else if (section.Value is { Length: > 0 } days && target == typeof(TimeSpan) && int.TryParse(days, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number != 0)
            {
                // TimeSpan reads a bare number as days; no TokenProxy duration is meant in whole days that way. Zero is zero
                // either way: its range, if it has one, is checked with the rest.
                problems.Add($"{section.Path}: '{days}' would mean {days} days; write {Describe(target)}, or {TimeSpan.FromSeconds(number):c} for {days} seconds.");
                unusable.Add(section.Path);
            }
            else if (section.Value is { Length: > 0 } value && target != typeof(string) && !Converts(target, value))
            {
                problems.Add($"{section.Path}: '{value}' is not {Describe(target)}.");
                unusable.Add(section.Path);
            }
            else if (section.Value is "" && target != typeof(string) && Nullable.GetUnderlyingType(type) is null)
            {
                // TokenProxy__Refresh__Skew= in a shell or a compose file: the binder cannot read "" as a number.
                problems.Add($"{section.Path}: empty; write {Describe(target)}, or remove the key for the default.");
                unusable.Add(section.Path);
            }
            else if (section.Value is { } text && IsPlaceholder(text))
            {
                problems.Add($"{section.Path}: still the placeholder from appsettings.sample.json; put {text[1..^1]} there, or remove the key.");
                unusable.Add(section.Path);
            }

            return;
        }

        if (section.Value is { Length: > 0 })
        {
            // The binder silently ignores one value where a list, a dictionary or a section belongs. The value is not
            // repeated: it may be a secret.
            problems.Add($"{section.Path}: {WhatBelongs(section.Key, target)}");
            unusable.Add(section.Path);
            return;
        }

        if (ElementType(target) is { } element)
        {
            // The binder reads any section as a list (the values, whatever their keys) and a JSON array as a dictionary
            // keyed "0", "1" … (a header named "0"): neither is what the file's author meant.
            var keys = section.GetChildren().Select(c => c.Key).ToList();
            var indexed = keys.Count > 0 && keys.Order(StringComparer.Ordinal).SequenceEqual(
                Enumerable.Range(0, keys.Count).Select(i => i.ToString(CultureInfo.InvariantCulture)).Order(StringComparer.Ordinal));
            if (IsList(target) ? keys.Count > 0 && !keys.All(k => int.TryParse(k, NumberStyles.None, CultureInfo.InvariantCulture, out _)) : indexed)
            {
                problems.Add(IsList(target)
                    ? $"{section.Path}: a section where a list belongs; write {section.Key}:0, {section.Key}:1 … or a JSON array."
                    : $"{section.Path}: a list where a dictionary belongs; write {section.Key}:NAME=VALUE for each entry, or a JSON object.");
                unusable.Add(section.Path);
                return;
            }

            foreach (var child in section.GetChildren())
            {
                CheckValue(child, element, problems, unusable);
            }

            return;
        }

        CheckObject(section, SettingsOf(target), problems, unusable, target.GetCustomAttribute<NamedEntriesAttribute>()?.EntryType);
    }

    private static string WhatBelongs(string key, Type type)
    {
        if (ElementType(type) is null)
        {
            var settings = Settings(type);
            return $"a single value where a section belongs; write its settings ({string.Join(", ", settings)}) as {key}:{settings.FirstOrDefault()}=… or a JSON object.";
        }

        return IsList(type)
            ? $"a single value where a list belongs; write {key}:0, {key}:1 … or a JSON array."
            : $"a single value where a dictionary belongs; write {key}:NAME=VALUE for each entry, or a JSON object.";
    }

    private static List<string> Settings(Type type) => [.. Properties(type).Select(p => p.Name)];

    /// <summary>The sample marks what a person must fill in as <c>&lt;a phrase saying what goes there&gt;</c>.</summary>
    private static bool IsPlaceholder(string value) => value is ['<', .., '>'] && value.Contains(' ', StringComparison.Ordinal);

    private static bool IsScalar(Type type) =>
        type == typeof(string) || type.IsPrimitive || type.IsEnum || type == typeof(TimeSpan) || type == typeof(decimal) || type == typeof(Uri);

    /// <summary>The value type of a dictionary keyed by string, or the element type of an array or list.</summary>
    private static Type? ElementType(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType();
        }

        if (!type.IsGenericType || !typeof(IEnumerable).IsAssignableFrom(type))
        {
            return null;
        }

        var arguments = type.GetGenericArguments();
        return arguments.Length == 2 ? arguments[1] : arguments[0];
    }

    /// <summary>An array or list, not a dictionary (given <see cref="ElementType"/> is not null).</summary>
    private static bool IsList(Type type) => type.IsArray || type.GetGenericArguments().Length == 1;

    /// <summary>The conversion the configuration binder itself makes.</summary>
    private static bool Converts(Type type, string value)
    {
        try
        {
            _ = TypeDescriptor.GetConverter(type).ConvertFromString(null, CultureInfo.InvariantCulture, value);
            return true;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException || e.InnerException is FormatException or OverflowException)
        {
            return false;
        }
    }

    private static string Describe(Type type) => type switch
    {
        _ when type == typeof(TimeSpan) => "a duration as [d.]hh:mm:ss, for example 00:01:00",
        _ when type == typeof(bool) => "true or false",
        _ when type == typeof(int) || type == typeof(long) => "a whole number",
        _ when type == typeof(double) || type == typeof(decimal) => "a number such as 0.5",
        _ when type.IsEnum => $"one of {string.Join(", ", Enum.GetNames(type))}",
        _ => "a single text value",
    };
}
