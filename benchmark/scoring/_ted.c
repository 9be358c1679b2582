/* Zhang-Shasha tree edit distance, the inner loops of benchmark/scoring/ted.py.
 *
 * Optional compiled speed-up: ted.py holds the same algorithm in Python and uses it when this
 * module was not built. Trees arrive as postorder arrays (int32, one entry per node):
 *   lmd      leftmost leaf descendant            weight  insert / remove cost
 *   label    label id (equal ids: same label)    text    row of the node's text in `lev`, or -1
 * and `lev` is the (texts of tree 1) x (texts of tree 2) int32 matrix of text edit distances.
 * The cost of relabelling node i as node j:
 *   both with text:     (label differs) + lev[text_i][text_j]
 *   both without text:  (label differs)
 *   one of each:        weight_i + weight_j  (the same as removing one and inserting the other)
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

typedef struct {
    Py_ssize_t n, nk;
    const int32_t *lmd, *weight, *label, *text;
    int32_t *keyroots; /* owned */
} Tree;

/* b[0..3]: lmd, weight, label, text. Checks that lmd describes a postorder tree and finds the
 * keyroots (the root and every node that is not the leftmost child of its parent). */
static int view_tree(Py_buffer *b, Tree *t, const char *name) {
    for (int k = 0; k < 4; k++) {
        if (b[k].len % 4) {
            PyErr_Format(PyExc_ValueError, "%s: buffers must hold int32", name);
            return -1;
        }
    }
    t->n = b[0].len / 4;
    if (b[1].len / 4 != t->n || b[2].len / 4 != t->n || b[3].len / 4 != t->n || t->n == 0) {
        PyErr_Format(PyExc_ValueError, "%s: node arrays differ in length or are empty", name);
        return -1;
    }
    t->lmd = b[0].buf;
    t->weight = b[1].buf;
    t->label = b[2].buf;
    t->text = b[3].buf;
    t->keyroots = PyMem_RawMalloc(sizeof(int32_t) * t->n);
    char *seen = PyMem_RawCalloc(t->n, 1);
    if (!t->keyroots || !seen) {
        PyMem_RawFree(seen);
        PyErr_NoMemory();
        return -1;
    }
    Py_ssize_t nk = 0;
    for (Py_ssize_t i = t->n - 1; i >= 0; i--) {
        const int32_t l = t->lmd[i];
        if (l < 0 || l > i || t->weight[i] < 0) {
            PyMem_RawFree(seen);
            PyErr_Format(PyExc_ValueError, "%s: leftmost descendant out of range or negative weight", name);
            return -1;
        }
        if (!seen[l]) {
            seen[l] = 1;
            t->keyroots[nk++] = (int32_t)i;
        }
    }
    PyMem_RawFree(seen);
    for (Py_ssize_t x = 0, y = nk - 1; x < y; x++, y--) {
        const int32_t tmp = t->keyroots[x];
        t->keyroots[x] = t->keyroots[y];
        t->keyroots[y] = tmp;
    }
    t->nk = nk;
    if (t->keyroots[nk - 1] != t->n - 1) {
        PyErr_Format(PyExc_ValueError, "%s: the last node is not the root", name);
        return -1;
    }
    for (Py_ssize_t k = 0; k < nk; k++) {
        const int32_t root = t->keyroots[k];
        for (int32_t i = t->lmd[root]; i <= root; i++) {
            if (t->lmd[i] < t->lmd[root]) {
                PyErr_Format(PyExc_ValueError, "%s: not a postorder tree", name);
                return -1;
            }
        }
    }
    return 0;
}

static inline long long rename_cost(const Tree *a, Py_ssize_t i, const Tree *b, Py_ssize_t j,
                                    const int32_t *lev, Py_ssize_t lev_cols) {
    const int32_t ti = a->text[i], tj = b->text[j];
    if (ti >= 0 && tj >= 0) return (a->label[i] != b->label[j]) + (long long)lev[ti * lev_cols + tj];
    if (ti < 0 && tj < 0) return a->label[i] != b->label[j];
    return (long long)a->weight[i] + b->weight[j];
}

/* The distance from the single node u of tree `a` to every subtree of `b`, written to
 * td[u][j] (or td[j][u] when `transposed`): either u is removed and T(j) inserted, or u is
 * relabelled as one node x of T(j) and the rest of T(j) inserted. Replaces Zhang-Shasha's
 * one-row tables for leaf keyroots. */
static void leaf_to_subtrees(const Tree *a, Py_ssize_t u, const Tree *b, const long long *subtree_weight_b,
                             const int32_t *lev, Py_ssize_t lev_cols, int transposed, long long *td,
                             Py_ssize_t td_cols, Py_ssize_t *stack_node, long long *stack_min) {
    Py_ssize_t top = 0;
    for (Py_ssize_t j = 0; j < b->n; j++) {
        long long best = (transposed ? rename_cost(b, j, a, u, lev, lev_cols) : rename_cost(a, u, b, j, lev, lev_cols))
                         - b->weight[j];
        while (top > 0 && stack_node[top - 1] >= b->lmd[j]) {  /* the children of j, finished */
            top--;
            if (stack_min[top] < best) best = stack_min[top];
        }
        stack_node[top] = j;
        stack_min[top] = best;
        top++;
        const long long d = subtree_weight_b[j] + (a->weight[u] < best ? a->weight[u] : best);
        if (transposed) td[j * td_cols + u] = d;
        else td[u * td_cols + j] = d;
    }
}

static void subtree_weights(const Tree *t, long long *out, long long *prefix) {
    prefix[0] = 0;
    for (Py_ssize_t i = 0; i < t->n; i++) prefix[i + 1] = prefix[i] + t->weight[i];
    for (Py_ssize_t i = 0; i < t->n; i++) out[i] = prefix[i + 1] - prefix[t->lmd[i]];
}

/* scratch: 4 * (n1 + n2 + 2) long longs */
static long long distance(const Tree *a, const Tree *b, const int32_t *lev, Py_ssize_t lev_cols,
                          long long *td, long long *fd, long long *scratch) {
    const Py_ssize_t n2 = b->n, W = b->n + 1;
    long long *sw1 = scratch, *sw2 = sw1 + a->n + 1, *prefix = sw2 + b->n + 1, *stack_min = prefix + a->n + b->n + 2;
    Py_ssize_t *stack_node = (Py_ssize_t *)(stack_min + a->n + b->n + 2);
    subtree_weights(a, sw1, prefix);
    subtree_weights(b, sw2, prefix);
    for (Py_ssize_t x = 0; x < a->nk; x++) {
        const Py_ssize_t u = a->keyroots[x];
        if (a->lmd[u] == u) leaf_to_subtrees(a, u, b, sw2, lev, lev_cols, 0, td, n2, stack_node, stack_min);
    }
    for (Py_ssize_t y = 0; y < b->nk; y++) {
        const Py_ssize_t v = b->keyroots[y];
        if (b->lmd[v] == v) leaf_to_subtrees(b, v, a, sw1, lev, lev_cols, 1, td, n2, stack_node, stack_min);
    }
    for (Py_ssize_t x = 0; x < a->nk; x++) {
        const Py_ssize_t k1 = a->keyroots[x], l1 = a->lmd[k1], rows = k1 - l1 + 2;
        if (l1 == k1) continue;
        for (Py_ssize_t y = 0; y < b->nk; y++) {
            const Py_ssize_t k2 = b->keyroots[y], l2 = b->lmd[k2], cols = k2 - l2 + 2;
            if (l2 == k2) continue;
            /* fd[r][c]: distance between the forests l1..l1+r-1 and l2..l2+c-1 */
            fd[0] = 0;
            for (Py_ssize_t r = 1; r < rows; r++) fd[r * W] = fd[(r - 1) * W] + a->weight[l1 + r - 1];
            for (Py_ssize_t c = 1; c < cols; c++) fd[c] = fd[c - 1] + b->weight[l2 + c - 1];
            const int32_t *lmd2 = b->lmd + l2 - 1, *weight2 = b->weight + l2 - 1;  /* by column */
            for (Py_ssize_t r = 1; r < rows; r++) {
                const Py_ssize_t i = l1 + r - 1, li = a->lmd[i];
                const long long remove = a->weight[i];
                long long *row = fd + r * W;
                const long long *prev = row - W, *jump = fd + (li - l1) * W - l2;
                long long *td_i = td + i * n2 + l2 - 1;  /* by column */
                if (li != l1) {  /* i is not on the leftmost path: every cell takes a subtree distance */
                    for (Py_ssize_t c = 1; c < cols; c++) {
                        long long best = prev[c] + remove, other = row[c - 1] + weight2[c];
                        if (other < best) best = other;
                        other = jump[lmd2[c]] + td_i[c];
                        row[c] = other < best ? other : best;
                    }
                    continue;
                }
                for (Py_ssize_t c = 1; c < cols; c++) {
                    const Py_ssize_t lj = lmd2[c];
                    long long best = prev[c] + remove, other = row[c - 1] + weight2[c];
                    if (other < best) best = other;
                    if (lj == l2) {  /* both on leftmost paths: a tree distance, kept */
                        other = prev[c - 1] + rename_cost(a, i, b, l2 + c - 1, lev, lev_cols);
                        if (other < best) best = other;
                        td_i[c] = best;
                    } else {
                        other = jump[lj] + td_i[c];
                        if (other < best) best = other;
                    }
                    row[c] = best;
                }
            }
        }
    }
    return td[(a->n - 1) * n2 + n2 - 1];
}

static PyObject *zhang_shasha(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer buf[9];
    Py_ssize_t lev_cols;
    memset(buf, 0, sizeof(buf));
    if (!PyArg_ParseTuple(args, "y*y*y*y*y*y*y*y*y*n", &buf[0], &buf[1], &buf[2], &buf[3], &buf[4], &buf[5],
                          &buf[6], &buf[7], &buf[8], &lev_cols))
        return NULL;
    PyObject *result = NULL;
    long long *td = NULL, *fd = NULL, *scratch = NULL;
    Tree a = {0}, b = {0};
    if (view_tree(buf, &a, "tree 1") < 0 || view_tree(buf + 4, &b, "tree 2") < 0) goto done;
    if (buf[8].len % 4 || lev_cols < 0) {
        PyErr_SetString(PyExc_ValueError, "lev: must be an int32 matrix");
        goto done;
    }
    /* lev is read only for two nodes with text: then their rows must lie inside it */
    const Py_ssize_t lev_rows = lev_cols ? buf[8].len / 4 / lev_cols : 0;
    int32_t max_text_a = -1, max_text_b = -1;
    for (Py_ssize_t i = 0; i < a.n; i++)
        if (a.text[i] > max_text_a) max_text_a = a.text[i];
    for (Py_ssize_t j = 0; j < b.n; j++)
        if (b.text[j] > max_text_b) max_text_b = b.text[j];
    if (max_text_a >= 0 && max_text_b >= 0 && (max_text_a >= lev_rows || max_text_b >= lev_cols)) {
        PyErr_SetString(PyExc_ValueError, "text row out of the lev matrix");
        goto done;
    }
    if (a.n > PY_SSIZE_T_MAX / 16 / (b.n + 1)) {
        PyErr_NoMemory();
        goto done;
    }
    td = PyMem_RawMalloc(sizeof(long long) * a.n * b.n);
    fd = PyMem_RawMalloc(sizeof(long long) * (a.n + 1) * (b.n + 1));
    scratch = PyMem_RawMalloc(sizeof(long long) * 4 * (a.n + b.n + 2));
    if (!td || !fd || !scratch) {
        PyErr_NoMemory();
        goto done;
    }
    long long d;
    Py_BEGIN_ALLOW_THREADS
    d = distance(&a, &b, buf[8].buf, lev_cols, td, fd, scratch);
    Py_END_ALLOW_THREADS
    result = PyLong_FromLongLong(d);
done:
    PyMem_RawFree(td);
    PyMem_RawFree(fd);
    PyMem_RawFree(scratch);
    PyMem_RawFree(a.keyroots);
    PyMem_RawFree(b.keyroots);
    for (int k = 0; k < 9; k++)
        if (buf[k].obj) PyBuffer_Release(&buf[k]);
    return result;
}


/* ---- build_merged: ted.py's _build(data, merge=True) for the common shapes, in C ----------
 *
 * Objects whose keys are exact str, whose values are exact str, None, exact dicts or lists of
 * exact dicts, and no key starting with "<leaf>". Anything else (a number, a list of scalars, a
 * subclass, a key like "<leaf>x", nesting deeper than BUILD_MAX_DEPTH) returns None before the
 * caller's objects are trusted: ted.py then builds the tree in Python from scratch. */
#define BUILD_MAX_DEPTH 64
enum { B_NONE = -1, B_FALLBACK = -2, B_ERROR = -3 };

typedef struct {
    PyObject *label_ids, *texts, *pair_keys, *other_labels; /* borrowed */
    PyObject *strip_name;
    int32_t *col[4]; /* lmd, weight, label, text */
    Py_ssize_t n, cap;
} Builder;

static Py_ssize_t push(Builder *b, int32_t lmd, int32_t weight, int32_t label, int32_t text) {
    if (b->n == b->cap) {
        const Py_ssize_t cap = b->cap ? 2 * b->cap : 64;
        for (int k = 0; k < 4; k++) {
            int32_t *grown = PyMem_RawRealloc(b->col[k], sizeof(int32_t) * cap);
            if (!grown) {
                PyErr_NoMemory();
                return B_ERROR;
            }
            b->col[k] = grown;
        }
        b->cap = cap;
    }
    b->col[0][b->n] = lmd;
    b->col[1][b->n] = weight;
    b->col[2][b->n] = label;
    b->col[3][b->n] = text;
    return b->n++;
}

/* The label id of `name` (ids shared by the two trees), added to `set`; -1 on error. */
static long label_id(Builder *b, PyObject *name, PyObject *set) {
    PyObject *found = PyDict_GetItemWithError(b->label_ids, name);
    long id;
    if (found) {
        Py_INCREF(found);
        id = PyLong_AsLong(found);
    } else {
        if (PyErr_Occurred()) return -1;
        id = (long)PyDict_GET_SIZE(b->label_ids);
        found = PyLong_FromLong(id);
        if (!found || PyDict_SetItem(b->label_ids, name, found) < 0) {
            Py_XDECREF(found);
            return -1;
        }
    }
    const int r = PySet_Add(set, found);
    Py_DECREF(found);
    return r < 0 ? -1 : id;
}

static int is_leaf_label(PyObject *name) {
    static const char prefix[] = "<leaf>";
    const Py_ssize_t n = (Py_ssize_t)sizeof(prefix) - 1;
    if (PyUnicode_GET_LENGTH(name) < n) return 0;
    for (Py_ssize_t i = 0; i < n; i++)
        if (PyUnicode_READ_CHAR(name, i) != (Py_UCS4)prefix[i]) return 0;
    return 1;
}

/* A node over children starting at `first` (B_NONE: a childless node), labelled `name`. */
static Py_ssize_t inner_node(Builder *b, PyObject *name, Py_ssize_t first) {
    if (is_leaf_label(name)) return B_FALLBACK;
    const long id = label_id(b, name, b->other_labels);
    if (id < 0) return B_ERROR;
    const int32_t lmd = first == B_NONE ? (int32_t)b->n : b->col[0][first];
    return push(b, lmd, 1, (int32_t)id, -1);
}

/* Keys sorted by (length, name), as ted.py's sorted(sorted(data), key=len). */
static PyObject *sorted_keys(PyObject *data) {
    PyObject *keys = PyDict_Keys(data);
    if (!keys) return NULL;
    const Py_ssize_t n = PyList_GET_SIZE(keys);
    for (Py_ssize_t i = 0; i < n; i++) {
        if (!PyUnicode_CheckExact(PyList_GET_ITEM(keys, i))) {
            Py_DECREF(keys);
            Py_RETURN_NONE;
        }
    }
    if (PyList_Sort(keys) < 0) {
        Py_DECREF(keys);
        return NULL;
    }
    PyObject **item = ((PyListObject *)keys)->ob_item;
    for (Py_ssize_t i = 1; i < n; i++) { /* stable insertion sort by length */
        PyObject *key = item[i];
        const Py_ssize_t len = PyUnicode_GET_LENGTH(key);
        Py_ssize_t j = i;
        while (j > 0 && PyUnicode_GET_LENGTH(item[j - 1]) > len) {
            item[j] = item[j - 1];
            j--;
        }
        item[j] = key;
    }
    return keys;
}

static Py_ssize_t build_object(Builder *b, PyObject *data, PyObject *name, int depth);

static Py_ssize_t build_value(Builder *b, PyObject *key, PyObject *value, int depth) {
    if (value == Py_None) return B_NONE;
    if (PyUnicode_CheckExact(value)) {
        PyObject *stripped = PyObject_CallMethodNoArgs(value, b->strip_name);
        if (!stripped) return B_ERROR;
        const Py_ssize_t len = PyUnicode_GET_LENGTH(stripped);
        Py_ssize_t index = B_NONE;
        if (len > 0) {
            if (is_leaf_label(key) || len > INT32_MAX - 1) {
                index = B_FALLBACK;
            } else {
                const long id = label_id(b, key, b->pair_keys);
                const Py_ssize_t text = PyList_GET_SIZE(b->texts);
                index = id < 0 ? B_ERROR : push(b, (int32_t)b->n, (int32_t)(1 + len), (int32_t)id, (int32_t)text);
                if (index >= 0 && PyList_Append(b->texts, stripped) < 0) index = B_ERROR;
            }
        }
        Py_DECREF(stripped);
        return index;
    }
    if (PyDict_CheckExact(value)) {
        const Py_ssize_t first = build_object(b, value, NULL, depth + 1);
        return first < 0 ? first : inner_node(b, key, first);
    }
    if (PyList_CheckExact(value)) {
        const Py_ssize_t n = PyList_GET_SIZE(value);
        for (Py_ssize_t i = 0; i < n; i++)
            if (!PyDict_CheckExact(PyList_GET_ITEM(value, i))) return B_FALLBACK;
        Py_ssize_t first = B_NONE;
        for (Py_ssize_t i = 0; i < n; i++) {
            const Py_ssize_t index = build_object(b, PyList_GET_ITEM(value, i), NULL, depth + 1);
            if (index < B_NONE) return index;
            if (first == B_NONE) first = index;
        }
        return first == B_NONE ? B_NONE : inner_node(b, key, first);
    }
    return B_FALLBACK;
}

/* The node of an object (named `name`, or "<subtree>" when NULL), B_NONE when it is empty. */
static Py_ssize_t build_object(Builder *b, PyObject *data, PyObject *name, int depth) {
    static PyObject *subtree = NULL;
    if (depth > BUILD_MAX_DEPTH) return B_FALLBACK;
    if (!subtree && !(subtree = PyUnicode_InternFromString("<subtree>"))) return B_ERROR;
    PyObject *keys = sorted_keys(data);
    if (!keys) return B_ERROR;
    if (keys == Py_None) {
        Py_DECREF(keys);
        return B_FALLBACK;
    }
    Py_ssize_t first = B_NONE;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(keys); i++) {
        PyObject *key = PyList_GET_ITEM(keys, i);
        PyObject *value = PyDict_GetItemWithError(data, key);
        if (!value) {
            Py_DECREF(keys);
            return PyErr_Occurred() ? B_ERROR : B_FALLBACK;
        }
        const Py_ssize_t index = build_value(b, key, value, depth);
        if (index < B_NONE) {
            Py_DECREF(keys);
            return index;
        }
        if (first == B_NONE) first = index;
    }
    Py_DECREF(keys);
    return first == B_NONE ? B_NONE : inner_node(b, name ? name : subtree, first);
}

static PyObject *build_merged(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *data, *label_ids, *texts, *pair_keys, *other_labels;
    if (!PyArg_ParseTuple(args, "O!O!O!O!O!", &PyDict_Type, &data, &PyDict_Type, &label_ids, &PyList_Type, &texts,
                          &PySet_Type, &pair_keys, &PySet_Type, &other_labels))
        return NULL;
    Builder b = {label_ids, texts, pair_keys, other_labels, NULL, {NULL, NULL, NULL, NULL}, 0, 0};
    PyObject *root = NULL, *result = NULL;
    if (!(b.strip_name = PyUnicode_InternFromString("strip")) || !(root = PyUnicode_InternFromString("<root>")))
        goto done;
    Py_ssize_t top = PyDict_CheckExact(data) ? build_object(&b, data, root, 0) : B_FALLBACK;
    if (top == B_NONE) top = inner_node(&b, root, B_NONE);
    if (top == B_ERROR) goto done;
    if (top == B_FALLBACK) {
        result = Py_NewRef(Py_None);
        goto done;
    }
    result = PyTuple_New(4);
    if (!result) goto done;
    for (int k = 0; k < 4; k++) {
        PyObject *column = PyBytes_FromStringAndSize((const char *)b.col[k], sizeof(int32_t) * b.n);
        if (!column) {
            Py_CLEAR(result);
            goto done;
        }
        PyTuple_SET_ITEM(result, k, column);
    }
done:
    for (int k = 0; k < 4; k++) PyMem_RawFree(b.col[k]);
    Py_XDECREF(b.strip_name);
    Py_XDECREF(root);
    return result;
}

static PyMethodDef methods[] = {
    {"zhang_shasha", zhang_shasha, METH_VARARGS,
     "zhang_shasha(lmd1, weight1, label1, text1, lmd2, weight2, label2, text2, lev, lev_cols) -> int: "
     "the tree edit distance of two postorder trees."},
    {"build_merged", build_merged, METH_VARARGS,
     "build_merged(data, label_ids, texts, pair_keys, other_labels) -> (lmd, weight, label, text) as int32 bytes, "
     "or None when the object needs ted.py's own builder."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_ted", NULL, -1, methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__ted(void) { return PyModule_Create(&module); }
